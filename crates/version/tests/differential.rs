//! Differential tests: thousands of generated version pairs per ecosystem, ordered by customs and
//! by the ecosystem's own tool on this machine, must agree. Each test prints its pair count.

use std::cmp::Ordering;
use std::io::Write;
use std::process::{Command, Stdio};

use customs_version::{Scheme, compare};

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    fn number(&mut self) -> String {
        match self.below(10) {
            0 => "0".into(),
            1 => format!("0{}", self.below(10)),
            2 => format!("{}", self.below(100_000)),
            _ => format!("{}", self.below(12)),
        }
    }
}

fn required(tool: &str) -> bool {
    let ok = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "{tool} is required in CI");
        eprintln!("skipping: {tool} is not installed");
    }
    ok
}

/// Runs `program` with `stdin`, returning its stdout lines.
fn oracle(program: &mut Command, stdin: &str) -> Vec<String> {
    let mut child = program
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("oracle starts");
    let mut input = child.stdin.take().unwrap();
    let text = stdin.to_string();
    let writer = std::thread::spawn(move || input.write_all(text.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn check(scheme: Scheme, tool: &str, pairs: &[(String, String)], answers: &[Ordering]) {
    assert_eq!(pairs.len(), answers.len(), "the oracle answered every pair");
    let mut disagreements = Vec::new();
    for ((a, b), want) in pairs.iter().zip(answers) {
        let got = compare(scheme, a, b).unwrap_or_else(|e| panic!("{e}"));
        if got != *want {
            disagreements.push(format!("{a} vs {b}: customs {got:?}, {tool} {want:?}"));
        }
    }
    println!(
        "{scheme}: {} pairs, {} agree with {tool}",
        pairs.len(),
        pairs.len() - disagreements.len()
    );
    assert!(
        disagreements.is_empty(),
        "{} of {} disagree, first: {:#?}",
        disagreements.len(),
        pairs.len(),
        &disagreements[..disagreements.len().min(10)]
    );
}

fn sign(n: i64) -> Ordering {
    n.cmp(&0)
}

/// `n` pairs of valid versions. Half are near-misses of each other (one digit changed, or a
/// suffix from `suffixes` added), where ordering rules matter most.
fn pairs(
    n: usize,
    seed: u64,
    make: &dyn Fn(&mut Rng) -> String,
    suffixes: &[&str],
) -> Vec<(String, String)> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|_| {
            let a = make(&mut rng);
            let b = match rng.below(4) {
                0 => bump_digit(&mut rng, &a),
                1 => format!("{a}{}", rng.pick(suffixes)),
                2 => a.clone(),
                _ => make(&mut rng),
            };
            (a, b)
        })
        .collect()
}

fn bump_digit(rng: &mut Rng, v: &str) -> String {
    let digits: Vec<usize> = v
        .char_indices()
        .filter(|(_, c)| c.is_ascii_digit())
        .map(|(i, _)| i)
        .collect();
    let mut s = v.to_string();
    if !digits.is_empty() {
        let i = digits[rng.below(digits.len() as u64) as usize];
        let d = s.as_bytes()[i] - b'0';
        s.replace_range(i..=i, &((d + 1) % 10).to_string());
    }
    s
}

fn debian_version(rng: &mut Rng) -> String {
    let mut v = String::new();
    if rng.chance(20) {
        v.push_str(&format!("{}:", rng.below(3)));
    }
    v.push_str(&rng.number());
    for _ in 0..rng.below(4) {
        v.push_str(rng.pick(&[".", ".", "+", "~", ""]));
        if rng.chance(30) {
            v.push_str(rng.pick(&["a", "b", "rc", "dfsg", "git", "beta", "pre"]));
        }
        v.push_str(&rng.number());
    }
    if rng.chance(70) {
        v.push('-');
        v.push_str(&rng.number());
        if rng.chance(50) {
            v.push_str(rng.pick(&["+deb12u", "ubuntu", "~bpo11+", "build", "+b", "."]));
            v.push_str(&rng.number());
        }
    }
    v
}

#[test]
fn dpkg_agrees_with_dpkg_compare_versions() {
    if !required("dpkg") {
        return;
    }
    let pairs = pairs(
        3000,
        0x5eed_0001,
        &debian_version,
        &["~rc1", "a", ".0", "1", "+b1", "~"],
    );
    let mut script = String::new();
    for (a, b) in &pairs {
        script.push_str(&format!(
            "if dpkg --compare-versions '{a}' lt '{b}'; then echo -1; elif dpkg --compare-versions '{a}' eq '{b}'; then echo 0; else echo 1; fi\n"
        ));
    }
    let answers: Vec<Ordering> = oracle(Command::new("sh").arg("-s"), &script)
        .iter()
        .map(|l| sign(l.trim().parse().unwrap()))
        .collect();
    check(Scheme::Dpkg, "dpkg --compare-versions", &pairs, &answers);
}

fn rpm_version(rng: &mut Rng) -> String {
    let mut v = String::new();
    if rng.chance(20) {
        v.push_str(&format!("{}:", rng.below(3)));
    }
    v.push_str(&rng.number());
    for _ in 0..rng.below(4) {
        v.push_str(rng.pick(&[".", ".", "_", "~", "^", "+", ""]));
        if rng.chance(30) {
            v.push_str(rng.pick(&["a", "b", "rc", "git", "el", "fc", "pre"]));
        }
        v.push_str(&rng.number());
    }
    if rng.chance(70) {
        v.push('-');
        v.push_str(&rng.number());
        if rng.chance(60) {
            v.push_str(rng.pick(&[".el9", ".el8_6", ".fc39", ".amzn2", "~beta", "^git"]));
            if rng.chance(50) {
                v.push_str(&rng.number());
            }
        }
    }
    v
}

#[test]
fn rpm_agrees_with_rpm_vercmp() {
    if !required("rpm") {
        return;
    }
    let pairs = pairs(
        3000,
        0x5eed_0002,
        &rpm_version,
        &["~rc1", "a", ".0", "^git1", "1", "~"],
    );
    let mut lua = String::new();
    for (a, b) in &pairs {
        lua.push_str(&format!("io.write(rpm.vercmp('{a}', '{b}'), '\\n')\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pairs.lua");
    std::fs::write(&file, &lua).unwrap();
    let answers: Vec<Ordering> = oracle(
        Command::new("rpm")
            .arg("--eval")
            .arg(format!("%{{lua: dofile('{}')}}", file.display())),
        "",
    )
    .iter()
    .filter(|l| !l.trim().is_empty())
    .map(|l| sign(l.trim().parse().unwrap()))
    .collect();
    check(Scheme::Rpm, "rpm.vercmp", &pairs, &answers);
}

fn python_version(rng: &mut Rng) -> String {
    let mut v = String::new();
    if rng.chance(10) {
        v.push_str(&format!("{}!", rng.below(3)));
    }
    v.push_str(&format!("{}", rng.below(20)));
    for _ in 0..rng.below(4) {
        v.push_str(&format!(".{}", rng.below(12)));
    }
    if rng.chance(35) {
        v.push_str(rng.pick(&[
            "a", "b", "rc", "alpha", "beta", "c", "pre", ".a", "-rc", "_b",
        ]));
        if rng.chance(80) {
            v.push_str(&format!("{}", rng.below(15)));
        }
    }
    if rng.chance(25) {
        v.push_str(rng.pick(&[".post", "post", "-", ".rev", "-r"]));
        v.push_str(&format!("{}", rng.below(5)));
    }
    if rng.chance(25) {
        v.push_str(rng.pick(&[".dev", "dev", "-dev"]));
        v.push_str(&format!("{}", rng.below(5)));
    }
    if rng.chance(15) {
        v.push('+');
        v.push_str(rng.pick(&["ubuntu", "1", "abc.5", "cpu", "7.a"]));
    }
    v
}

#[test]
fn pep440_agrees_with_packaging() {
    if !required("python3") {
        return;
    }
    let pairs = pairs(3000, 0x5eed_0003, &python_version, &[""]);
    let script = r#"
import sys
try:
    from packaging.version import Version
except ImportError:
    from pip._vendor.packaging.version import Version
for line in sys.stdin:
    a, b = line.rstrip("\n").split("\t")
    x, y = Version(a), Version(b)
    print(-1 if x < y else (0 if x == y else 1))
"#;
    let input: String = pairs.iter().map(|(a, b)| format!("{a}\t{b}\n")).collect();
    let answers: Vec<Ordering> = oracle(Command::new("python3").args(["-c", script]), &input)
        .iter()
        .map(|l| sign(l.trim().parse().unwrap()))
        .collect();
    check(Scheme::Pep440, "packaging.version", &pairs, &answers);
}

fn semver_version(rng: &mut Rng) -> String {
    let mut v = format!("{}.{}.{}", rng.below(4), rng.below(12), rng.below(30));
    if rng.chance(40) {
        let ids: Vec<String> = (0..=rng.below(3))
            .map(|_| match rng.below(3) {
                0 => format!("{}", rng.below(20)),
                1 => rng
                    .pick(&["alpha", "beta", "rc", "x-y", "a1", "next"])
                    .to_string(),
                _ => format!("{}{}", rng.pick(&["rc", "b", "pre"]), rng.below(10)),
            })
            .collect();
        v.push('-');
        v.push_str(&ids.join("."));
    }
    if rng.chance(15) {
        v.push_str("+build.");
        v.push_str(&format!("{}", rng.below(100)));
    }
    v
}

fn npm_semver() -> bool {
    if !required("node") {
        return false;
    }
    let found = Command::new("node")
        .args(["-e", "require('semver')"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "npm's semver package is required in CI (NODE_PATH)"
        );
        eprintln!("skipping: npm's semver package is not installed");
    }
    found
}

#[test]
fn semver_agrees_with_npm_semver() {
    if !npm_semver() {
        return;
    }
    let pairs = pairs(3000, 0x5eed_0004, &semver_version, &[""]);
    let script = r#"
const semver = require('semver');
const lines = require('fs').readFileSync(0, 'utf8').split('\n').filter(Boolean);
for (const l of lines) { const [a, b] = l.split('\t'); console.log(semver.compare(a, b)); }
"#;
    let input: String = pairs.iter().map(|(a, b)| format!("{a}\t{b}\n")).collect();
    let answers: Vec<Ordering> = oracle(Command::new("node").args(["-e", script]), &input)
        .iter()
        .map(|l| sign(l.trim().parse().unwrap()))
        .collect();
    check(Scheme::Semver, "npm semver", &pairs, &answers);
}

fn gem_version(rng: &mut Rng) -> String {
    let mut v = format!("{}.{}", rng.below(12), rng.below(12));
    for _ in 0..rng.below(4) {
        v.push('.');
        if rng.chance(15) {
            v.push_str(rng.pick(&["a", "b", "rc", "pre", "beta"]));
            if rng.chance(50) {
                v.push_str(&format!("{}", rng.below(5)));
            }
        } else {
            v.push_str(&format!("{}", rng.below(12)));
        }
    }
    if rng.chance(15) {
        v.push_str(rng.pick(&["a", "rc1", ".0", "-1", "-rc.2"]));
    }
    v
}

#[test]
fn gem_agrees_with_rubygems() {
    if !required("ruby") {
        return;
    }
    let pairs = pairs(3000, 0x5eed_0005, &gem_version, &["", ".0", "a", ".pre"]);
    let script = r#"$stdin.each_line { |l| a, b = l.chomp.split("\t"); puts(Gem::Version.new(a) <=> Gem::Version.new(b)) }"#;
    let input: String = pairs.iter().map(|(a, b)| format!("{a}\t{b}\n")).collect();
    let answers: Vec<Ordering> = oracle(Command::new("ruby").args(["-e", script]), &input)
        .iter()
        .map(|l| sign(l.trim().parse().unwrap()))
        .collect();
    check(Scheme::Gem, "Gem::Version", &pairs, &answers);
}

fn maven_version(rng: &mut Rng) -> String {
    let mut v = format!("{}", rng.below(12));
    for _ in 0..rng.below(4) {
        v.push_str(rng.pick(&[".", ".", "-", ""]));
        if rng.chance(30) {
            v.push_str(rng.pick(&[
                "alpha",
                "beta",
                "milestone",
                "rc",
                "cr",
                "snapshot",
                "ga",
                "final",
                "release",
                "sp",
                "a",
                "b",
                "m",
                "foo",
                "jre",
                "SNAPSHOT",
                "Final",
            ]));
        }
        if rng.chance(70) {
            v.push_str(&rng.number());
        }
    }
    if v.ends_with(['.', '-']) {
        v.push('1');
    }
    v
}

/// Maven's own `ComparableVersion`, from the maven-artifact jar Debian's maven ships.
fn maven_artifact_jar() -> Option<std::path::PathBuf> {
    std::fs::read_dir("/usr/share/maven/lib")
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("maven-artifact"))
        })
}

#[test]
fn maven_agrees_with_comparable_version() {
    if !required("java") {
        return;
    }
    let Some(jar) = maven_artifact_jar() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "maven's maven-artifact jar is required in CI"
        );
        eprintln!("skipping: maven is not installed");
        return;
    };
    let pairs = pairs(
        3000,
        0x5eed_0006,
        &maven_version,
        &["", "-1", ".0", "-SNAPSHOT"],
    );
    let dir = tempfile::tempdir().unwrap();
    let harness = dir.path().join("Compare.java");
    std::fs::write(
        &harness,
        r#"import java.io.*;
import org.apache.maven.artifact.versioning.ComparableVersion;
public class Compare {
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    StringBuilder out = new StringBuilder();
    for (String line; (line = in.readLine()) != null; ) {
      String[] p = line.split("\t", -1);
      int c = new ComparableVersion(p[0]).compareTo(new ComparableVersion(p[1]));
      out.append(Integer.signum(c)).append('\n');
    }
    System.out.print(out);
  }
}
"#,
    )
    .unwrap();
    let input: String = pairs.iter().map(|(a, b)| format!("{a}\t{b}\n")).collect();
    let answers: Vec<Ordering> = oracle(
        Command::new("java").arg("-cp").arg(&jar).arg(&harness),
        &input,
    )
    .iter()
    .map(|l| sign(l.trim().parse().unwrap()))
    .collect();
    check(Scheme::Maven, "ComparableVersion", &pairs, &answers);
}

fn composer_version(rng: &mut Rng) -> String {
    let mut v = String::new();
    if rng.chance(10) {
        v.push('v');
    }
    v.push_str(&rng.below(12).to_string());
    for _ in 0..rng.below(4) {
        v.push('.');
        v.push_str(&rng.number());
    }
    if rng.chance(40) {
        v.push_str(rng.pick(&["-", ".", "_", ""]));
        v.push_str(rng.pick(&[
            "alpha", "a", "beta", "b", "RC", "rc", "patch", "pl", "p", "stable",
        ]));
        if rng.chance(70) {
            v.push_str(rng.pick(&["", ".", "-"]));
            v.push_str(&rng.below(12).to_string());
        }
    }
    if rng.chance(10) {
        v.push_str(rng.pick(&["-dev", ".dev"]));
    }
    v
}

/// The installed `composer/semver` (Debian `php-composer-semver`), if any.
fn composer_semver() -> Option<&'static str> {
    let autoload = "/usr/share/php/Composer/Semver/autoload.php";
    if std::path::Path::new(autoload).is_file() && required("php") {
        return Some(autoload);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "php-composer-semver is required in CI"
    );
    eprintln!("skipping: php-composer-semver is not installed");
    None
}

#[test]
fn composer_agrees_with_composer_semver() {
    let Some(autoload) = composer_semver() else {
        return;
    };
    let pairs = pairs(
        3000,
        0x5eed_0007,
        &composer_version,
        &["-dev", "-beta1", "-RC2", "-p1", ".0", "-stable"],
    );
    // Composer orders normalised versions with PHP's version_compare.
    let script = format!(
        r#"require '{autoload}'; $p = new Composer\Semver\VersionParser();
           while (($l = fgets(STDIN)) !== false) {{
             [$a, $b] = explode("\t", rtrim($l, "\n"));
             try {{ echo version_compare($p->normalize($a), $p->normalize($b)), "\n"; }}
             catch (UnexpectedValueException $e) {{ echo "invalid\n"; }}
           }}"#
    );
    let input: String = pairs.iter().map(|(a, b)| format!("{a}\t{b}\n")).collect();
    let answers = oracle(Command::new("php").args(["-r", &script]), &input);
    // Composer rejects some generated versions; customs must reject the same ones.
    let (valid, invalid): (Vec<_>, Vec<_>) = pairs
        .into_iter()
        .zip(answers)
        .partition(|(_, answer)| answer != "invalid");
    let wrongly_accepted: Vec<_> = invalid
        .iter()
        .filter(|((a, b), _)| compare(Scheme::Composer, a, b).is_ok())
        .collect();
    assert!(
        wrongly_accepted.is_empty(),
        "composer/semver rejects, customs accepts: {wrongly_accepted:?}"
    );
    println!("composer: {} pairs rejected by both", invalid.len());
    let (pairs, answers): (Vec<_>, Vec<_>) = valid
        .into_iter()
        .map(|(pair, answer)| (pair, sign(answer.trim().parse().unwrap())))
        .unzip();
    check(Scheme::Composer, "composer/semver", &pairs, &answers);
}

fn npm_range(rng: &mut Rng) -> String {
    let partial = |rng: &mut Rng| -> String {
        let wild = |rng: &mut Rng, n: u64| -> String {
            if rng.chance(10) {
                rng.pick(&["x", "*", "X"]).to_string()
            } else {
                rng.below(n).to_string()
            }
        };
        match rng.below(6) {
            0 => wild(rng, 4),
            1 => format!("{}.{}", rng.below(4), wild(rng, 12)),
            _ => semver_version(rng),
        }
    };
    let alternatives = 1 + rng.below(2);
    (0..alternatives)
        .map(|_| match rng.below(5) {
            0 => format!("{} - {}", partial(rng), partial(rng)),
            1 => format!("{}{}", rng.pick(&["^", "~", "~>"]), partial(rng)),
            _ => (0..1 + rng.below(2))
                .map(|_| {
                    format!(
                        "{}{}",
                        rng.pick(&[">=", ">", "<", "<=", "=", ""]),
                        partial(rng)
                    )
                })
                .collect::<Vec<_>>()
                .join(" "),
        })
        .collect::<Vec<_>>()
        .join(" || ")
}

#[test]
fn npm_ranges_agree_with_npm_semver() {
    if !npm_semver() {
        return;
    }
    let mut rng = Rng(0x5eed_0008);
    let cases: Vec<(String, String)> = (0..3000)
        .map(|_| (npm_range(&mut rng), semver_version(&mut rng)))
        .collect();
    // customs reads ranges as node-semver does with includePrerelease: a pre-release is in a
    // range when it lies between its bounds.
    let script = r#"
const semver = require('semver');
const lines = require('fs').readFileSync(0, 'utf8').split('\n').filter(Boolean);
for (const l of lines) {
  const [r, v] = l.split('\t');
  console.log(semver.satisfies(v, r, { includePrerelease: true }) ? 'yes' : 'no');
}
"#;
    let input: String = cases.iter().map(|(r, v)| format!("{r}\t{v}\n")).collect();
    let answers = oracle(Command::new("node").args(["-e", script]), &input);
    assert_eq!(answers.len(), cases.len());
    let disagreements: Vec<String> = cases
        .iter()
        .zip(&answers)
        .filter_map(|((r, v), want)| {
            let got = customs_version::VersionSet::parse(Scheme::Semver, r)
                .and_then(|s| s.contains(v))
                .unwrap_or_else(|e| panic!("{r}: {e}"));
            (got != (want == "yes")).then(|| format!("{v} in {r:?}: customs {got}, npm {want}"))
        })
        .collect();
    println!(
        "npm ranges: {} (range, version) cases, {} agree with npm semver",
        cases.len(),
        cases.len() - disagreements.len()
    );
    assert!(
        disagreements.is_empty(),
        "{} disagree, first: {:#?}",
        disagreements.len(),
        &disagreements[..disagreements.len().min(10)]
    );
}
