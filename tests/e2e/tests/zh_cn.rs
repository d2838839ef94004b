//! Simplified Chinese in a real window on the `migrate` scenario: the overview and the
//! workflow wizard use KubeSphere's own terms — 集群, 主集群, 成员集群, 企业空间, 项目 — and
//! the demo badge is translated too; on `fresh`, the core's findings are shown in Chinese
//! (their commands as they are). Screenshots go to target/e2e/.

mod common;

use std::time::Duration;

use common::{
    choose_language, css, js_click_on, launch, page_text, painted_shot, save_shots,
    visible_text_matching, wait_for, wait_secs,
};
use fantoccini::Client;
use fantoccini::error::CmdError;

#[derive(Debug, Default)]
struct Seen {
    overview: String,
    badge: String,
    wizard: String,
    shots: Vec<(&'static str, Vec<u8>)>,
}

async fn drive(client: &Client) -> Result<Seen, CmdError> {
    let mut seen = Seen::default();
    wait_secs(client, "cluster-row-prod-1", 60).await?;
    choose_language(client, "zh-CN").await?;
    visible_text_matching(client, "role-old-host", |t| t.contains("主集群")).await?;
    seen.overview = page_text(client).await?;
    seen.badge = visible_text_matching(client, "demo-badge", |t| t.contains("演示")).await?;
    seen.shots
        .push(("overview-zh-CN.png", painted_shot(client).await?));

    js_click_on(client, "nav-workflows").await?;
    wait_for(client, "wizard-form").await?;
    client
        .execute(
            "document.querySelector(\"[data-testid='wizard-kind'] input[value='migrate']\").click();",
            vec![],
        )
        .await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    seen.wizard = page_text(client).await?;
    seen.shots
        .push(("wizard-zh-CN.png", painted_shot(client).await?));
    // Leave the app in English for the next test that starts it.
    choose_language(client, "en").await?;
    Ok(seen)
}

#[tokio::test(flavor = "multi_thread")]
async fn chinese_uses_kubesphere_terms_on_the_overview_and_the_wizard() {
    let session = launch("zh-cn", &[("KSMC_DEMO_SCENARIO", "migrate")]).await;
    let result = tokio::time::timeout(Duration::from_secs(150), drive(&session.client))
        .await
        .expect("the window answered within 150 s");
    let _ = session.client.clone().close().await;
    let seen = result.expect("the screens appear");
    save_shots(&seen.shots);

    for term in ["集群", "主集群", "成员集群", "企业空间", "项目"] {
        assert!(
            seen.overview.contains(term),
            "overview lacks {term}: {}",
            seen.overview
        );
    }
    assert!(seen.badge.contains("演示"), "{}", seen.badge);
    for term in ["成员集群", "主集群", "项目", "企业空间"] {
        assert!(
            seen.wizard.contains(term),
            "wizard lacks {term}: {}",
            seen.wizard
        );
    }
}

/// member-1's `role-none` finding, in Chinese.
const FINDING: &str = "finding-role-none-member-1";

async fn drive_findings(client: &Client) -> Result<(String, String, Vec<u8>), CmdError> {
    wait_secs(client, FINDING, 60).await?;
    let english =
        visible_text_matching(client, FINDING, |t| t.contains("is not configured")).await?;
    choose_language(client, "zh-CN").await?;
    let chinese =
        visible_text_matching(client, FINDING, |t| t.contains("未配置为成员集群")).await?;
    client
        .execute(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'center'});",
            vec![serde_json::json!(css(FINDING))],
        )
        .await?;
    let shot = painted_shot(client).await?;
    choose_language(client, "en").await?;
    Ok((english, chinese, shot))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_core_findings_are_shown_in_chinese() {
    let session = launch("zh-cn-findings", &[("KSMC_DEMO_SCENARIO", "fresh")]).await;
    let result = tokio::time::timeout(Duration::from_secs(150), drive_findings(&session.client))
        .await
        .expect("the window answered within 150 s");
    let _ = session.client.clone().close().await;
    let (english, chinese, shot) = result.expect("the finding appears");
    save_shots(&[("findings-zh-CN.png", shot)]);

    assert!(
        english.contains("member-1 is not configured as a member (clusterRole none)"),
        "{english}"
    );
    for text in [
        "member-1 未配置为成员集群（clusterRole 为 none）",
        "在 clusterRole 设为 member 且 jwtSecret 与主集群一致之前，host 无法导入它",
        "在 ClusterConfiguration 中设置主集群的 jwtSecret 和 clusterRole member",
        // Commands are not translated.
        "kubectl --kubeconfig member-1.kubeconfig -n kubesphere-system patch cc ks-installer",
    ] {
        assert!(chinese.contains(text), "lacks {text}: {chinese}");
    }
    assert!(!chinese.contains("is not configured"), "{chinese}");
}
