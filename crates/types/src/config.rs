//! What an image's configuration says about the containers it starts, and how it was built
//! (the OCI image config's `config` and `history`, with Docker's extensions).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The runtime defaults of an image (`config` in the OCI image configuration).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `80/tcp`, `53/udp`.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "keys_or_list"
    )]
    pub exposed_ports: Vec<String>,
    /// `NAME=value`.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_list"
    )]
    pub env: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_list"
    )]
    pub entrypoint: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_list"
    )]
    pub cmd: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "keys_or_list"
    )]
    pub volumes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_map"
    )]
    pub labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_signal: Option<String>,
    /// Docker's `HEALTHCHECK` (`Test` is `["CMD-SHELL", "..."]`, `["CMD", ...]` or `["NONE"]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_list"
    )]
    pub shell: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_list"
    )]
    pub on_build: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Healthcheck {
    #[serde(default, deserialize_with = "null_list")]
    pub test: Vec<String>,
}

/// One step of the build as the image configuration records it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The instruction (`/bin/sh -c #(nop)  EXPOSE 22`, `RUN /bin/sh -c apt-get update`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The step made no layer (metadata only).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub empty_layer: bool,
}

fn null_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}

fn null_map<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    Ok(Option::<BTreeMap<String, String>>::deserialize(d)?.unwrap_or_default())
}

/// The image config writes sets as objects with empty values (`{"80/tcp": {}}`); the SBOM
/// writes them as lists.
fn keys_or_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Set {
        Map(BTreeMap<String, serde::de::IgnoredAny>),
        List(Vec<String>),
    }
    Ok(match Option::<Set>::deserialize(d)? {
        Some(Set::Map(m)) => m.into_keys().collect(),
        Some(Set::List(l)) => l,
        None => Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_image_config_and_round_trips() {
        let json = r#"{"User":"app","ExposedPorts":{"8080/tcp":{},"22/tcp":{}},"Env":["PATH=/bin"],
            "Cmd":null,"Labels":{"a":"b"},"Healthcheck":{"Test":["CMD-SHELL","true"]}}"#;
        let c: ContainerConfig = serde_json::from_str(json).unwrap();
        assert_eq!(c.user.as_deref(), Some("app"));
        assert_eq!(c.exposed_ports, vec!["22/tcp", "8080/tcp"]);
        assert!(c.cmd.is_empty());
        assert_eq!(c.healthcheck.as_ref().unwrap().test[0], "CMD-SHELL");
        let back: ContainerConfig =
            serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(back, c);
    }
}
