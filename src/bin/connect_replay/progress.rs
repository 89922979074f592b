//! Progress on stderr: rewritten in place on a terminal, one line per 10 % otherwise.

use std::io::{IsTerminal, Write};

pub struct Progress {
    total: usize,
    tty: bool,
    printed_tenths: usize,
}

impl Progress {
    pub fn new(total: usize) -> Self {
        Self {
            total,
            tty: std::io::stderr().is_terminal(),
            printed_tenths: 0,
        }
    }

    /// `done` requests answered; `note` follows the counter (`2 differences`).
    pub fn update(&mut self, done: usize, note: &str) {
        let line = format!("[{done}/{}] {note}", self.total);
        let mut err = std::io::stderr().lock();
        if self.tty {
            // Progress is best effort: a closed stderr must not stop the run.
            let _ = write!(err, "\r\x1b[2K{line}");
            let _ = err.flush();
            return;
        }
        let tenths = done * 10 / self.total.max(1);
        if tenths > self.printed_tenths || done == self.total {
            self.printed_tenths = tenths;
            let _ = writeln!(err, "{line}");
        }
    }

    /// Ends the in-place line.
    pub fn finish(&self) {
        if self.tty {
            eprintln!();
        }
    }
}
