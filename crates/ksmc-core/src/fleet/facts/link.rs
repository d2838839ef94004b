//! Facts that need two clusters: a host's users against a member's copies (KubeSphere 3.x;
//! a 4.x host copies no User objects to its members, §5.2).

use super::model::{ClusterFacts, User, UserSync};
use super::{BUILTIN_ADMIN, MISSING_SHOWN, SRC_USERS};

/// Facts across clusters: for each member Cluster of a 3.x host that is itself in the estate
/// (same kube-system UID), which of the host's users it has as KubeFed copies; and every
/// host's access matrix ([`super::access::link_access`]).
pub fn link_members(all: &mut [ClusterFacts]) {
    super::access::link_access(all);
    let mut found = Vec::new();
    for (hi, h) in all.iter().enumerate() {
        if !h.is_host() || h.is_v4() {
            continue;
        }
        let Some(host_users) = h.users.items.as_deref() else {
            continue;
        };
        for (mi, mc) in h.clusters.all().iter().enumerate() {
            let Some(uid) = mc.uid.as_deref().filter(|_| !mc.is_host) else {
                continue;
            };
            let Some(member) = all
                .iter()
                .find(|c| c.error.is_none() && c.uid() == Some(uid) && c.name != h.name)
            else {
                continue;
            };
            if let Some(member_users) = member.users.items.as_deref() {
                found.push((hi, mi, user_sync(h, host_users, member, member_users)));
            }
        }
    }
    for (hi, mi, sync) in found {
        if let Some(mc) = all[hi]
            .clusters
            .items
            .as_mut()
            .and_then(|items| items.get_mut(mi))
        {
            mc.users_synced = Some(sync);
        }
    }
}

fn user_sync(
    h: &ClusterFacts,
    host_users: &[User],
    member: &ClusterFacts,
    member_users: &[User],
) -> UserSync {
    let copies: foldhash::HashSet<&str> = member_users
        .iter()
        .filter(|u| u.kubefed_managed)
        .map(|u| u.name.as_str())
        .collect();
    let expected: Vec<&User> = host_users
        .iter()
        .filter(|u| !u.kubefed_managed && u.name != BUILTIN_ADMIN)
        .collect();
    let mut missing: Vec<&str> = expected
        .iter()
        .map(|u| u.name.as_str())
        .filter(|n| !copies.contains(n))
        .collect();
    missing.sort_unstable();
    let total = expected.len();
    let synced = total - missing.len();
    UserSync {
        cluster: member.name.clone(),
        synced: u32::try_from(synced).unwrap_or(u32::MAX),
        total: u32::try_from(total).unwrap_or(u32::MAX),
        missing: missing
            .into_iter()
            .take(MISSING_SHOWN)
            .map(str::to_owned)
            .collect(),
        source: format!(
            "{SRC_USERS} on {} (not kubefed.io/managed=true, admin excepted) against {SRC_USERS} with kubefed.io/managed=true on {}",
            h.name, member.name
        ),
    }
}
