//! A minimal HTTP/1.1 client for the local Datadog agent (plain http). It runs
//! on the batch span processor's own thread, so blocking std I/O is fine there
//! and no async runtime or TLS stack is needed.

use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

#[derive(Debug, Clone)]
pub(super) struct AgentClient {
    timeout: Duration,
}

impl AgentClient {
    pub(super) fn new(timeout: Duration) -> Self {
        Self { timeout }
    }

    fn post(&self, req: &Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let uri = req.uri();
        let host = uri.host().ok_or("agent url without host")?;
        let port = uri.port_u16().unwrap_or(80);
        let addr = (host, port)
            .to_socket_addrs()?
            .next()
            .ok_or("agent host does not resolve")?;
        let mut stream = TcpStream::connect_timeout(&addr, self.timeout)?;
        stream.set_read_timeout(Some(self.timeout))?;
        stream.set_write_timeout(Some(self.timeout))?;
        let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let mut head = format!(
            "{} {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: {}\r\nConnection: close\r\n",
            req.method(),
            req.body().len()
        );
        for (name, value) in req.headers() {
            if let Ok(v) = value.to_str() {
                head.push_str(&format!("{name}: {v}\r\n"));
            }
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes())?;
        stream.write_all(req.body())?;
        stream.flush()?;
        let mut answer = Vec::new();
        // `Connection: close`: the agent ends the answer by closing.
        let _ = stream.take(64 * 1024).read_to_end(&mut answer);
        let status = parse_status(&answer).ok_or("agent answer without a status line")?;
        Ok(Response::builder().status(status).body(Bytes::new())?)
    }
}

/// The status code of `HTTP/1.1 200 OK…`.
fn parse_status(answer: &[u8]) -> Option<u16> {
    let line = answer.split(|b| *b == b'\n').next()?;
    let text = std::str::from_utf8(line).ok()?;
    text.split_whitespace().nth(1)?.parse().ok()
}

#[async_trait::async_trait]
impl HttpClient for AgentClient {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        self.post(&request)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_status;

    #[test]
    fn status_line_is_parsed() {
        assert_eq!(parse_status(b"HTTP/1.1 200 OK\r\n\r\n"), Some(200));
        assert_eq!(parse_status(b"HTTP/1.0 415 Unsupported\r\n"), Some(415));
        assert_eq!(parse_status(b""), None);
    }
}
