//! The command line of `connect-replay`, parsed by hand (`--flag value` or `--flag=value`).

use std::path::PathBuf;
use std::time::Duration;

pub const USAGE: &str = "\
Usage:
  connect-replay --base-url URL --corpus FILE [options]
      Replays FILE against URL and compares every answer with the recorded one.
      --ignore RULES_FILE      ignore rules (TOML, docs/replay.md)
      --ignore-volatile        also ignore *_at, booking_token, booking_id, correlation_id,
                               ids under booking members, and volatile headers
      --report FILE            write the report there (default: stdout)
      --report-format md|json  default md
      --header 'NAME: VALUE'   added to every request, replacing a recorded header (repeatable)
      --concurrency N          requests in flight (default 4)
      --timeout-ms N           per request (default 10000)
  connect-replay record --base-url URL --requests FILE --out CORPUS [--header …] [--timeout-ms N]
      Sends each request of FILE in order and writes CORPUS with the answers as expected.
  connect-replay --help

Exit status: 0 all answers match, 1 some differ, 2 usage or corpus error.
";

/// What to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Replay(Replay),
    Record(Record),
    Help,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Json,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    pub base_url: String,
    pub corpus: PathBuf,
    pub ignore: Option<PathBuf>,
    pub ignore_volatile: bool,
    pub report: Option<PathBuf>,
    pub format: Format,
    pub headers: Vec<(String, String)>,
    pub concurrency: usize,
    pub timeout: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub base_url: String,
    pub requests: PathBuf,
    pub out: PathBuf,
    pub headers: Vec<(String, String)>,
    pub timeout: Duration,
}

const DEFAULT_CONCURRENCY: usize = 4;
const DEFAULT_TIMEOUT_MS: u64 = 10_000;

/// Everything given on the command line, before checking which flags fit the command.
#[derive(Default)]
struct Raw {
    base_url: Option<String>,
    corpus: Option<PathBuf>,
    requests: Option<PathBuf>,
    out: Option<PathBuf>,
    ignore: Option<PathBuf>,
    ignore_volatile: bool,
    report: Option<PathBuf>,
    format: Option<Format>,
    headers: Vec<(String, String)>,
    concurrency: Option<usize>,
    timeout_ms: Option<u64>,
}

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Command, String> {
    let (record, args) = match args.first().map(String::as_str) {
        Some("record") => (true, &args[1..]),
        _ => (false, args),
    };
    let mut raw = Raw::default();
    let mut i = 0;
    while i < args.len() {
        let (flag, inline) = match args[i].split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (args[i].as_str(), None),
        };
        if matches!(flag, "--help" | "-h") {
            return Ok(Command::Help);
        }
        if flag == "--ignore-volatile" {
            raw.ignore_volatile = true;
            i += 1;
            continue;
        }
        let value = match inline {
            Some(v) => v,
            None => {
                i += 1;
                args.get(i)
                    .cloned()
                    .ok_or_else(|| format!("{flag} needs a value"))?
            }
        };
        i += 1;
        match flag {
            "--base-url" => raw.base_url = Some(base_url(&value)?),
            "--corpus" => raw.corpus = Some(value.into()),
            "--requests" => raw.requests = Some(value.into()),
            "--out" => raw.out = Some(value.into()),
            "--ignore" => raw.ignore = Some(value.into()),
            "--report" => raw.report = Some(value.into()),
            "--report-format" => raw.format = Some(format(&value)?),
            "--header" => raw.headers.push(header(&value)?),
            "--concurrency" => raw.concurrency = Some(positive(flag, &value)?),
            "--timeout-ms" => raw.timeout_ms = Some(positive(flag, &value)? as u64),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if record {
        into_record(raw)
    } else {
        into_replay(raw)
    }
}

fn into_replay(raw: Raw) -> Result<Command, String> {
    if raw.requests.is_some() || raw.out.is_some() {
        return Err("--requests and --out belong to `connect-replay record`".into());
    }
    Ok(Command::Replay(Replay {
        base_url: raw.base_url.ok_or("--base-url is required")?,
        corpus: raw.corpus.ok_or("--corpus is required")?,
        ignore: raw.ignore,
        ignore_volatile: raw.ignore_volatile,
        report: raw.report,
        format: raw.format.unwrap_or(Format::Markdown),
        headers: raw.headers,
        concurrency: raw.concurrency.unwrap_or(DEFAULT_CONCURRENCY),
        timeout: Duration::from_millis(raw.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS)),
    }))
}

fn into_record(raw: Raw) -> Result<Command, String> {
    let replay_only = raw.corpus.is_some()
        || raw.ignore.is_some()
        || raw.ignore_volatile
        || raw.report.is_some()
        || raw.format.is_some()
        || raw.concurrency.is_some();
    if replay_only {
        return Err(
            "record takes only --base-url, --requests, --out, --header, --timeout-ms".into(),
        );
    }
    Ok(Command::Record(Record {
        base_url: raw.base_url.ok_or("--base-url is required")?,
        requests: raw.requests.ok_or("--requests is required")?,
        out: raw.out.ok_or("--out is required")?,
        headers: raw.headers,
        timeout: Duration::from_millis(raw.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS)),
    }))
}

/// An http(s) URL, without its trailing `/` (corpus paths start with `/`).
fn base_url(value: &str) -> Result<String, String> {
    let parsed = url::Url::parse(value).map_err(|e| format!("--base-url {value:?}: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.query().is_some() {
        return Err(format!(
            "--base-url {value:?}: must be http(s)://host[:port][/prefix]"
        ));
    }
    Ok(value.trim_end_matches('/').to_owned())
}

fn format(value: &str) -> Result<Format, String> {
    match value {
        "md" | "markdown" => Ok(Format::Markdown),
        "json" => Ok(Format::Json),
        other => Err(format!("--report-format {other:?}: use md or json")),
    }
}

/// `NAME: VALUE` → (lower-case name, trimmed value).
fn header(value: &str) -> Result<(String, String), String> {
    let (name, v) = value
        .split_once(':')
        .ok_or_else(|| format!("--header {value:?}: expected 'NAME: VALUE'"))?;
    let name = name.trim();
    let token = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !token {
        return Err(format!("--header {value:?}: bad header name"));
    }
    Ok((name.to_ascii_lowercase(), v.trim().to_owned()))
}

fn positive(flag: &str, value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("{flag} {value:?}: expected a positive integer")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn replay_with_defaults() {
        let cmd = parse(&args("--base-url http://h:1/ --corpus c.jsonl")).unwrap();
        assert_eq!(
            cmd,
            Command::Replay(Replay {
                base_url: "http://h:1".into(),
                corpus: "c.jsonl".into(),
                ignore: None,
                ignore_volatile: false,
                report: None,
                format: Format::Markdown,
                headers: vec![],
                concurrency: 4,
                timeout: Duration::from_secs(10),
            })
        );
    }

    #[test]
    fn replay_with_every_option() {
        let mut a = args(
            "--base-url=https://old.example.com/api --corpus c --ignore i.toml --ignore-volatile \
             --report r.json --report-format json --concurrency 8 --timeout-ms=500 --header",
        );
        a.push("X-Api-Key:  secret ".into());
        let Ok(Command::Replay(r)) = parse(&a) else {
            panic!("not a replay");
        };
        assert_eq!(r.base_url, "https://old.example.com/api");
        assert_eq!(r.ignore, Some("i.toml".into()));
        assert!(r.ignore_volatile);
        assert_eq!(r.report, Some("r.json".into()));
        assert_eq!(r.format, Format::Json);
        assert_eq!(r.concurrency, 8);
        assert_eq!(r.timeout, Duration::from_millis(500));
        assert_eq!(r.headers, vec![("x-api-key".into(), "secret".into())]);
    }

    #[test]
    fn record_takes_requests_and_out() {
        let cmd = parse(&args("record --base-url http://h --requests q --out c")).unwrap();
        assert_eq!(
            cmd,
            Command::Record(Record {
                base_url: "http://h".into(),
                requests: "q".into(),
                out: "c".into(),
                headers: vec![],
                timeout: Duration::from_secs(10),
            })
        );
    }

    #[test]
    fn usage_errors_are_explained() {
        let err = |s: &str| parse(&args(s)).unwrap_err();
        assert_eq!(err("--corpus c"), "--base-url is required");
        assert_eq!(err("--base-url http://h"), "--corpus is required");
        assert_eq!(err("--base-url"), "--base-url needs a value");
        assert_eq!(err("--bogus 1"), "unknown argument \"--bogus\"");
        assert_eq!(
            err("--base-url ftp://h --corpus c"),
            "--base-url \"ftp://h\": must be http(s)://host[:port][/prefix]"
        );
        assert_eq!(
            err("--base-url http://h --corpus c --concurrency 0"),
            "--concurrency \"0\": expected a positive integer"
        );
        assert_eq!(
            err("--base-url http://h --corpus c --header nocolon"),
            "--header \"nocolon\": expected 'NAME: VALUE'"
        );
        assert_eq!(
            err("record --base-url http://h --requests q --out c --corpus x"),
            "record takes only --base-url, --requests, --out, --header, --timeout-ms"
        );
        assert_eq!(parse(&args("record --help")).unwrap(), Command::Help);
    }
}
