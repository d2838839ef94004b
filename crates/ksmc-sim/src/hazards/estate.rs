//! The hazards as [`crate::Estate`] methods.

use super::{HazardStats, NamespaceDeletion, OwnerReAdd, delete_namespace};
use crate::faults::FaultError;

impl crate::Estate {
    /// Starts (or with `None` stops) re-adding Workspace ownerReferences on one cluster,
    /// leaving the rest of its faults alone.
    ///
    /// # Errors
    /// An unknown cluster or a delay over [`crate::faults::MAX_DELAY_MS`].
    pub fn set_owner_re_add(
        &self,
        cluster: &str,
        re_add: Option<OwnerReAdd>,
    ) -> Result<(), FaultError> {
        let faults = self.faults(cluster)?;
        crate::FaultPlan {
            re_add_owners: re_add.clone(),
            ..crate::FaultPlan::default()
        }
        .validate()?;
        faults.hazards().set_owner_re_add(re_add);
        Ok(())
    }

    /// Arms (or with `None` disarms) the deletion of a namespace of one cluster after that many
    /// applied writes, counted from now, leaving the rest of its faults alone.
    ///
    /// # Errors
    /// An unknown cluster or an invalid namespace name.
    pub fn set_namespace_deletion(
        &self,
        cluster: &str,
        deletion: Option<NamespaceDeletion>,
    ) -> Result<(), FaultError> {
        let faults = self.faults(cluster)?;
        crate::FaultPlan {
            delete_namespace: deletion.clone(),
            ..crate::FaultPlan::default()
        }
        .validate()?;
        faults.hazards().set_namespace_deletion(deletion);
        Ok(())
    }

    /// Deletes a namespace of one cluster now, as someone else would (`kubectl delete
    /// namespace`: Terminating, contents deleted, finalizers cleared, then gone). `Ok(true)`
    /// when its deletion started, `Ok(false)` when it does not exist or is already terminating.
    ///
    /// # Errors
    /// An unknown cluster.
    pub fn delete_namespace_externally(
        &self,
        cluster: &str,
        namespace: &str,
    ) -> Result<bool, FaultError> {
        let running = self
            .cluster(cluster)
            .ok_or_else(|| FaultError::UnknownCluster(cluster.to_owned()))?;
        Ok(delete_namespace(&running.cluster, namespace))
    }

    /// What the hazards of one cluster did since they were set.
    ///
    /// # Errors
    /// An unknown cluster.
    pub fn hazard_stats(&self, cluster: &str) -> Result<HazardStats, FaultError> {
        Ok(self.faults(cluster)?.hazards().stats())
    }
}
