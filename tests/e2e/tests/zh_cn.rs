//! Simplified Chinese in a real window on the `migrate` scenario: the overview and the
//! workflow wizard use KubeSphere's own terms — 集群, 主集群, 成员集群, 企业空间, 项目 — and
//! the demo badge is translated too. Screenshots go to target/e2e/.

mod common;

use std::time::Duration;

use common::{
    choose_language, js_click_on, launch, page_text, painted_shot, save_shots,
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
