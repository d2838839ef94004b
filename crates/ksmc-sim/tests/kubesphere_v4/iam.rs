//! Role bindings in 4.1.3 (§5.2): the host pushes GlobalRoleBindings to every Ready cluster
//! (with a cluster-admin binding for `platform-admin`) and WorkspaceRoleBindings to the
//! members their workspace is placed on.
use super::*;
use k8s_openapi::api::rbac::v1::ClusterRoleBinding;

#[tokio::test]
async fn bindings_of_the_host_are_pushed_to_its_members() {
    let estate = start(Scenario::migrate_v4()).await;
    let member = client(&estate, "prod-1").await;
    let grb = api(
        &member,
        "iam.kubesphere.io",
        "v1beta1",
        "GlobalRoleBinding",
        "globalrolebindings",
    );
    let wrb = api(
        &member,
        "iam.kubesphere.io",
        "v1beta1",
        "WorkspaceRoleBinding",
        "workspacerolebindings",
    );
    let crb: Api<ClusterRoleBinding> = Api::all(member.clone());
    eventually("the host's bindings are on prod-1", || async {
        grb.get_opt("bob-platform-admin").await.unwrap().is_some()
            && grb
                .get_opt("alice-platform-regular")
                .await
                .unwrap()
                .is_some()
            && wrb
                .get_opt("alice-ws-apps-regular")
                .await
                .unwrap()
                .is_some()
            && wrb.get_opt("bob-ws-data-viewer").await.unwrap().is_some()
            && crb.get_opt("bob-cluster-admin").await.unwrap().is_some()
    })
    .await;
    let admin = crb.get("bob-cluster-admin").await.unwrap();
    assert_eq!(admin.role_ref.name, "cluster-admin");
    let owner = &admin.metadata.owner_references.unwrap()[0];
    assert_eq!(
        (owner.kind.as_str(), owner.name.as_str()),
        ("GlobalRoleBinding", "bob-platform-admin")
    );
    // Only platform-admin gets a cluster-admin binding; the new host got nothing.
    assert!(crb.get_opt("alice-cluster-admin").await.unwrap().is_none());
    let new_host = client(&estate, "new-host").await;
    let other = api(
        &new_host,
        "iam.kubesphere.io",
        "v1beta1",
        "GlobalRoleBinding",
        "globalrolebindings",
    );
    assert!(other.get_opt("bob-platform-admin").await.unwrap().is_none());
}
