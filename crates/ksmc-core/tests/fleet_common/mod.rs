//! What the fleet tests share.

use std::collections::BTreeMap;

use ksmc_core::fleet::FleetReport;

/// Finding ids per cluster, sorted (every cluster of the report has an entry).
pub fn by_cluster(report: &FleetReport) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in &report.clusters {
        map.entry(c.name.clone()).or_default();
    }
    for f in &report.findings {
        map.entry(f.cluster.clone()).or_default().push(f.id.clone());
    }
    for v in map.values_mut() {
        v.sort();
    }
    map
}
