//! Records the git sha and build time for `/build` on the admin port.
use std::process::Command;

fn main() {
    // A build without .git (a container build) passes the sha in the environment.
    let from_env = std::env::var("CONNECT_GIT_SHA")
        .ok()
        .filter(|s| !s.is_empty());
    let sha = from_env
        .or_else(|| {
            Command::new("git")
                .args(["rev-parse", "--short=12", "HEAD"])
                .output()
                .ok()
                .filter(|o| o.status.success())
                .and_then(|o| String::from_utf8(o.stdout).ok())
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let time = std::env::var("SOURCE_DATE_EPOCH").unwrap_or_else(|_| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs().to_string())
            .unwrap_or_default()
    });
    println!("cargo:rustc-env=CONNECT_GIT_SHA={sha}");
    println!("cargo:rustc-env=CONNECT_BUILD_TIME={time}");
    // HEAD names the branch; the branch files change on every commit.
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
    println!("cargo:rerun-if-changed=.git/packed-refs");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    println!("cargo:rerun-if-env-changed=CONNECT_GIT_SHA");
}
