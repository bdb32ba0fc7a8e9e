use super::*;

fn scan_one(content: &str) -> Vec<(String, Vec<u64>)> {
    let scan = FileScan::new(FactsOptions {
        secrets: Some(default_secret_rules()),
        ..FactsOptions::default()
    });
    scan.observe(0, "/app/file", content.as_bytes());
    let hits = scan.secret_hits.into_inner().unwrap();
    let mut out: Vec<(String, Vec<u64>)> = hits.into_iter().map(|h| (h.rule, h.lines)).collect();
    out.sort();
    out
}

#[test]
fn built_in_rules_find_planted_secrets_and_say_where() {
    // Key material here is made up for the test, in the shapes the services use.
    let text = [
        "# settings",
        "aws_access_key_id = AKIAZZZZ7EXAMPLE1234",
        "aws_secret_access_key = abcdEFGHijklMNOPqrstUVWXyz0123456789+/ab",
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        "token: ghp_0123456789abcdefghijABCDEFGHIJ012345",
        "gitlab: glpat-abcdefghij0123456789",
        "slack: xoxb-123456789012-abcdefABCDEF",
        "DB_PASSWORD=s3cr3t-Pa55",
        "api_key: \"0123456789abcdefABCDEF01\"",
        r#"{"auths":{"r.example":{"auth":"dXNlcjpwYXNzd29yZA=="}}}"#,
    ]
    .join("\n");
    let got = scan_one(&text);
    let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "API_KEY",
            "AWS_ACCESS_KEY",
            "AWS_SECRET_KEY",
            "DOCKER_AUTH",
            "GITHUB_TOKEN",
            "GITLAB_TOKEN",
            "PASSWORD",
            "PRIV_KEY",
            "SLACK_TOKEN"
        ]
    );
    let lines = |n: &str| got.iter().find(|(r, _)| r == n).unwrap().1.clone();
    assert_eq!(lines("AWS_ACCESS_KEY"), vec![2]);
    assert_eq!(lines("PRIV_KEY"), vec![4]);
    assert_eq!(lines("PASSWORD"), vec![8]);
}

#[test]
fn placeholders_and_ordinary_text_are_not_secrets() {
    let text = [
        "password = ${DB_PASSWORD}",
        "password: <changeme>",
        "passwd:   files",
        "# Set api_key to your key",
        "AKIA is how access key ids start",
        "-----BEGIN PUBLIC KEY-----",
        "password=",
        "    login(user, password=password)",
        "d_grpasswd='define'",
        "self.password = kwargs.get('password')",
        "PWD=/root/work",
    ]
    .join("\n");
    assert_eq!(scan_one(&text), vec![]);
    // Binary content is passed over.
    assert_eq!(scan_one("\0ELF AKIAZZZZ7EXAMPLE1234"), vec![]);
}

#[test]
fn rules_parse_as_name_equals_regex() {
    let r = ContentRule::parse("INTERNAL_HOST=corp\\.example\\.com").unwrap();
    assert_eq!(r.name(), "INTERNAL_HOST");
    assert!(matches!(
        ContentRule::parse("no equals"),
        Err(RuleError::Shape(_))
    ));
    assert!(matches!(
        ContentRule::parse("bad name=x"),
        Err(RuleError::Shape(_))
    ));
    let e = ContentRule::parse("BROKEN=(unclosed").unwrap_err();
    assert!(e.to_string().contains("BROKEN"), "{e}");
}

#[test]
fn hits_in_files_a_later_layer_replaced_show_only_with_all_layers() {
    let scan = FileScan::new(FactsOptions {
        secrets: Some(default_secret_rules()),
        retrieve: vec!["/etc/passwd".into()],
        ..FactsOptions::default()
    });
    scan.observe(
        0,
        "/root/.ssh/id_rsa",
        b"-----BEGIN RSA PRIVATE KEY-----\nxx\n",
    );
    let mut tree = FileTree::new();
    // Layer 1 replaced the key file; /etc/passwd is kept.
    let node = |layer, content: Option<&[u8]>| customs_image::Node {
        kind: NodeKind::File,
        mode: 0o644,
        uid: 0,
        gid: 0,
        size: 1,
        layer,
        content: content.map(std::sync::Arc::from),
        sha256: None,
        facts: None,
    };
    tree.insert("/root/.ssh/id_rsa".into(), node(1, None));
    tree.insert(
        "/etc/passwd".into(),
        node(0, Some(b"root:x:0:0:root:/root:/bin/sh\n")),
    );
    let ids = vec![None, None];
    let facts = scan.finish(&tree, &ids, None, true);
    let m = &facts.secret_scan.as_ref().unwrap().matches;
    assert_eq!(m.len(), 1);
    assert!(!m[0].visible);
    assert_eq!(
        facts.retrieved("/etc/passwd").unwrap().content,
        "root:x:0:0:root:/root:/bin/sh\n"
    );
}

#[test]
fn redaction_hides_the_secret_and_keeps_the_rest() {
    let rules = default_secret_rules();
    assert_eq!(
        redact_env("DB_PASSWORD=Tr0ub4dor-and-3", &rules),
        "DB_PASSWORD=[REDACTED]"
    );
    assert_eq!(redact_env("PATH=/usr/bin", &rules), "PATH=/usr/bin");
    let line = "RUN /bin/sh -c echo ghp_0123456789abcdefghijABCDEFGHIJ012345 > /token # buildkit";
    let r = redact(line, &rules);
    assert_eq!(r, "RUN /bin/sh -c echo [REDACTED] > /token # buildkit");
    assert_eq!(redact("nothing here", &rules), "nothing here");
}
