//! The readers of what chart repositories and OCI registries send, for the fuzz targets:
//! each takes any bytes and either reads them or says why not, never panicking.

/// A chart repository's `index.yaml`: the number of charts and of skipped entries.
pub fn chart_index(bytes: &[u8]) -> Result<(usize, usize), String> {
    super::source::http::parse_index(bytes).map(|i| (i.charts.len(), i.skipped))
}

/// A chart archive: its files' paths and sizes.
pub fn chart_archive(bytes: &[u8]) -> Result<Vec<(String, usize)>, String> {
    super::source::http::unpack(bytes).map(|t| t.into_iter().map(|(k, v)| (k, v.len())).collect())
}

/// An OCI manifest's chart layer digest.
pub fn oci_manifest(bytes: &[u8]) -> Result<String, String> {
    super::source::oci::chart_layer(bytes)
}

/// A page of an OCI tag list, and a `Link` header's next target.
pub fn oci_tags(bytes: &[u8], link: &str) -> (Option<Vec<String>>, Option<String>) {
    (
        super::source::oci::api::tag_page(bytes),
        super::source::oci::api::next_link(link),
    )
}
