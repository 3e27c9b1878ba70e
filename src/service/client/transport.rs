//! The two framings a [`Client`](super::Client) speaks protocol v1 over: HTTP/1.1 with
//! keep-alive on one TCP stream (`TCP_NODELAY`, reopened when the server closes it), or JSON
//! lines on a subprocess's standard input and output (started in a process group of its own,
//! which is killed whole: an engine started by a wrapper script goes with the script). Both
//! answer one request with (status,
//! body bytes); a JSON line is status 200. Every read waits at most the client's timeout; a
//! wait that ran out is an `io::ErrorKind::TimedOut` (or `WouldBlock`) error, which the client
//! names. Answers are read up to [`MAX_ANSWER`] bytes.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command as Process, Stdio};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use super::groups::{self, Listed};
use super::Stop;

/// How often a wait for an answer looks at the stop flag.
pub(super) const STOP_POLL: Duration = Duration::from_millis(50);

fn stopped(stop: Option<&Stop>) -> bool {
    stop.is_some_and(|s| s.load(Ordering::Relaxed))
}

fn interrupted() -> io::Error {
    io::Error::new(io::ErrorKind::Interrupted, "interrupted")
}

/// Most bytes of an answer read (as the server's own request limit), 64 MiB.
pub(super) const MAX_ANSWER: usize = 64 << 20;

/// One open connection: the transport of a [`Client`](super::Client).
#[derive(Debug)]
pub(super) enum Transport {
    /// HTTP/1.1 on a kept-alive TCP stream.
    Http(HttpConn),
    /// JSON lines on a subprocess the client started.
    Lines(LinesConn),
}

/// An HTTP/1.1 connection to `host` (`HOST:PORT`).
#[derive(Debug)]
pub(super) struct HttpConn {
    host: String,
    addr: SocketAddr,
    timeout: Duration,
    stream: BufReader<TcpStream>,
}

/// A subprocess speaking JSON lines; its answers come from a reader thread, so a wait for
/// one can time out.
#[derive(Debug)]
pub(super) struct LinesConn {
    child: Child,
    stdin: Option<io::BufWriter<ChildStdin>>,
    lines: Receiver<io::Result<Vec<u8>>>,
    line: Vec<u8>,
    /// The engine was killed and reaped ([`LinesConn::end`]).
    ended: bool,
    /// The engine's process group on the list a second signal kills ([`groups`]).
    listed: Listed,
}

impl Drop for LinesConn {
    fn drop(&mut self) {
        self.close(None);
    }
}

/// Whether child `pid` has exited (or cannot be waited for), leaving it unreaped.
fn exited_unreaped(pid: u32) -> bool {
    // SAFETY: `waitid` writes only into `info`, a zeroed `siginfo_t` owned here; WNOWAIT leaves
    // the child waitable, so `Child::wait` still reaps it.
    unsafe {
        let mut info: libc::siginfo_t = std::mem::zeroed();
        let r = libc::waitid(
            libc::P_PID,
            pid as libc::id_t,
            &mut info,
            libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        );
        r != 0 || info.si_pid() != 0
    }
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

fn connect_tcp(addr: &SocketAddr, timeout: Duration) -> io::Result<BufReader<TcpStream>> {
    let stream = TcpStream::connect_timeout(addr, Duration::from_secs(5))?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    Ok(BufReader::with_capacity(64 << 10, stream))
}

impl HttpConn {
    /// Opens a connection to `host` (`HOST:PORT`); reads and writes wait at most `timeout`.
    /// Errors: the host resolves to nothing or refuses (the message names the host).
    pub(super) fn open(host: &str, timeout: Duration) -> io::Result<HttpConn> {
        let named =
            |e: io::Error| io::Error::new(e.kind(), format!("cannot connect to {host}: {e}"));
        let addr = host
            .to_socket_addrs()
            .map_err(named)?
            .next()
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("cannot connect to {host}: it resolves to no address"),
                )
            })?;
        let stream = connect_tcp(&addr, timeout).map_err(named)?;
        Ok(HttpConn {
            host: host.to_string(),
            addr,
            timeout,
            stream,
        })
    }

    /// Waits until the answer begins (or the connection ends), at most the timeout, looking at
    /// `stop` every [`STOP_POLL`]: an `Interrupted` error once it is set.
    fn wait_answer(&mut self, stop: Option<&Stop>) -> io::Result<()> {
        if stop.is_none() || !self.stream.buffer().is_empty() {
            return Ok(());
        }
        let until = Instant::now() + self.timeout;
        let s = self.stream.get_ref();
        s.set_read_timeout(Some(STOP_POLL))?;
        let r = loop {
            match s.peek(&mut [0u8; 1]) {
                Ok(_) => break Ok(()),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    if stopped(stop) {
                        break Err(interrupted());
                    }
                    if Instant::now() >= until {
                        break Err(e);
                    }
                }
                Err(e) => break Err(e),
            }
        };
        s.set_read_timeout(Some(self.timeout))?;
        r
    }

    /// Sends one request and reads its answer: (status, body); with `stop`, nothing is sent
    /// once it is set and the wait for the answer ends once it is set (an `Interrupted` error).
    pub(super) fn exchange(
        &mut self,
        method: &str,
        path: &str,
        body: &[u8],
        stop: Option<&Stop>,
    ) -> io::Result<(u16, Vec<u8>)> {
        // A stop ends the run at the next request, however fast the engine answers (a wait
        // shorter than the poll slice never looks at the flag).
        if stopped(stop) {
            return Err(interrupted());
        }
        let mut req = Vec::with_capacity(body.len() + 128);
        let _ = write!(
            req,
            "{method} {path} HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            self.host,
            body.len()
        );
        req.extend_from_slice(body);
        // The test hook's count of work (`worklog`, off unless asked for): a request sent.
        crate::worklog::note(crate::worklog::Unit::Request);
        self.stream.get_mut().write_all(&req)?;
        self.wait_answer(stop)?;
        let mut line = String::new();
        if self.stream.read_line(&mut line)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the engine closed the connection",
            ));
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| invalid(format!("not an HTTP status line: {line:?}")))?;
        let mut close = line.starts_with("HTTP/1.0");
        let (mut length, mut chunked) = (None, false);
        loop {
            line.clear();
            if self.stream.read_line(&mut line)? == 0 {
                return Err(invalid("the headers end early".into()));
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let Some((k, v)) = l.split_once(':') else {
                continue;
            };
            let v = v.trim();
            if k.eq_ignore_ascii_case("content-length") {
                length = Some(
                    v.parse::<usize>()
                        .map_err(|_| invalid(format!("bad content-length {v:?}")))?,
                );
            } else if k.eq_ignore_ascii_case("transfer-encoding") {
                chunked = v.eq_ignore_ascii_case("chunked");
            } else if k.eq_ignore_ascii_case("connection") {
                close = v.eq_ignore_ascii_case("close");
            }
        }
        let out = self.read_body(chunked, length, &mut close)?;
        if close {
            // The server ends the connection after this answer: open a new one for the next.
            self.stream = connect_tcp(&self.addr, self.timeout)?;
        }
        Ok((status, out))
    }

    fn read_body(
        &mut self,
        chunked: bool,
        length: Option<usize>,
        close: &mut bool,
    ) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut line = String::new();
        if chunked {
            loop {
                line.clear();
                self.stream.read_line(&mut line)?;
                let n = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                    .map_err(|_| invalid(format!("bad chunk size {line:?}")))?;
                if out.len() + n > MAX_ANSWER {
                    return Err(invalid("an answer over 64 MiB".into()));
                }
                let start = out.len();
                out.resize(start + n, 0);
                self.stream.read_exact(&mut out[start..])?;
                line.clear();
                self.stream.read_line(&mut line)?;
                if n == 0 {
                    break;
                }
            }
        } else if let Some(n) = length {
            if n > MAX_ANSWER {
                return Err(invalid("an answer over 64 MiB".into()));
            }
            out.resize(n, 0);
            self.stream.read_exact(&mut out)?;
        } else {
            self.stream
                .get_mut()
                .take(MAX_ANSWER as u64)
                .read_to_end(&mut out)?;
            *close = true;
        }
        Ok(out)
    }
}

impl LinesConn {
    /// Starts `argv` with piped standard input and output (standard error inherited). A write
    /// to an engine that exited is an error, not a SIGPIPE
    /// ([`ignore_broken_pipes`](crate::service::ignore_broken_pipes)). Errors: the program
    /// cannot be started (the message names it).
    pub(super) fn start(argv: &[String]) -> io::Result<LinesConn> {
        crate::service::ignore_broken_pipes();
        let mut child = Process::new(&argv[0])
            .args(&argv[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            // A group of its own (id: the engine's process id), killed whole by `end`; also
            // out of the terminal's foreground group, so Ctrl-C reaches only omnisim, which
            // then ends the engine.
            .process_group(0)
            .spawn()
            .map_err(|e| io::Error::new(e.kind(), format!("cannot start {:?}: {e}", argv[0])))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(io::Error::other(
                "the engine's standard input or output is not piped",
            ));
        };
        let (tx, rx) = mpsc::sync_channel(16);
        std::thread::spawn(move || {
            let mut r = BufReader::with_capacity(64 << 10, stdout);
            loop {
                let mut line = Vec::new();
                match Read::take(&mut r, MAX_ANSWER as u64 + 1).read_until(b'\n', &mut line) {
                    Ok(0) => {
                        let _ = tx.send(Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "the engine process closed its output (did it exit?)",
                        )));
                        return;
                    }
                    Ok(_) if line.last() != Some(&b'\n') && line.len() > MAX_ANSWER => {
                        let _ = tx.send(Err(invalid("an answer line over 64 MiB".into())));
                        return;
                    }
                    Ok(_) => {
                        if line.iter().all(u8::is_ascii_whitespace) {
                            continue;
                        }
                        if tx.send(Ok(line)).is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            }
        });
        Ok(LinesConn {
            stdin: Some(io::BufWriter::with_capacity(64 << 10, stdin)),
            lines: rx,
            line: Vec::with_capacity(4096),
            ended: false,
            listed: groups::add(child.id()),
            child,
        })
    }

    /// Closes the engine's standard input (a JSON-lines engine ends at end of input) and waits
    /// at most a second for it to exit, then kills its whole group ([`LinesConn::end`]); once
    /// `stop` is set the wait ends at once. Whether the engine exited is asked without reaping
    /// it, so that its process id, which names its process group, stays taken until the group
    /// is killed. A second signal during the wait ends omnisim, its handler killing the group.
    pub(super) fn close(&mut self, stop: Option<&Stop>) {
        if self.ended {
            return;
        }
        drop(self.stdin.take());
        let until = Instant::now() + Duration::from_secs(1);
        while Instant::now() < until && !stopped(stop) && !exited_unreaped(self.child.id()) {
            std::thread::sleep(Duration::from_millis(5));
        }
        self.end();
    }

    /// Closes the engine's standard input, kills its whole process group (the engine and
    /// whatever it started that did not leave the group: a wrapper script's child) and reaps
    /// the engine. Called once the engine is given up (stop, drop).
    fn end(&mut self) {
        if self.ended {
            return;
        }
        self.ended = true;
        drop(self.stdin.take());
        // The engine is not reaped yet, so its process id (the group's id) is still its own.
        // SAFETY: `kill` takes plain integers; a group that is already gone is ESRCH.
        let _ = unsafe { libc::kill(-(self.child.id() as libc::pid_t), libc::SIGKILL) };
        self.listed.remove();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends one request line, `{"op":"OP"}` followed by the fields of `body` (a JSON object,
    /// or empty for none), and waits at most `timeout` for the answer line; with `stop`, nothing
    /// is sent once it is set and the wait ends once it is set: the engine's process group is
    /// killed and the engine reaped, an `Interrupted` error.
    pub(super) fn exchange(
        &mut self,
        op: &str,
        body: &[u8],
        timeout: Duration,
        stop: Option<&Stop>,
    ) -> io::Result<Vec<u8>> {
        // A stop ends the run at the next request, however fast the engine answers (a wait
        // shorter than the poll slice never looks at the flag).
        if stopped(stop) {
            self.end();
            return Err(interrupted());
        }
        let line = &mut self.line;
        line.clear();
        let _ = write!(line, "{{\"op\":\"{op}\"");
        match body.trim_ascii() {
            b"" | b"{}" => line.push(b'}'),
            fields => {
                line.push(b',');
                line.extend_from_slice(fields.strip_prefix(b"{").unwrap_or(fields));
            }
        }
        line.push(b'\n');
        let w = self
            .stdin
            .as_mut()
            .ok_or_else(|| io::Error::other("the engine's standard input is closed"))?;
        // The test hook's count of work (`worklog`, off unless asked for): a request sent.
        crate::worklog::note(crate::worklog::Unit::Request);
        w.write_all(line)?;
        w.flush()?;
        let until = Instant::now() + timeout;
        let got = loop {
            let left = until.saturating_duration_since(Instant::now());
            let slice = if stop.is_some() {
                left.min(STOP_POLL)
            } else {
                left
            };
            match self.lines.recv_timeout(slice) {
                Err(RecvTimeoutError::Timeout) if !left.is_zero() => {
                    if stopped(stop) {
                        // Nothing more is asked of it: end it now, not a second later in drop.
                        self.end();
                        return Err(interrupted());
                    }
                }
                r => break r,
            }
        };
        match got {
            Ok(r) => r,
            Err(RecvTimeoutError::Timeout) => Err(io::Error::new(io::ErrorKind::TimedOut, "")),
            Err(RecvTimeoutError::Disconnected) => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the engine process closed its output",
            )),
        }
    }
}
