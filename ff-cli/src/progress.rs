//! What `cargo ff` shows while cargo builds the project to read its entities. The first run in a
//! project compiles its tests, which takes minutes: on a terminal one line says which crate is
//! being compiled and how long it has taken, and the time is said at the end. A run that needs no
//! compiling, and output that is not a terminal, show nothing extra.

use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How long a build must take before its time is reported.
const WORTH_SAYING: Duration = Duration::from_secs(3);

/// Runs `command` (cargo, without `--quiet`) to completion and returns its output, standard
/// error included; meanwhile, on a terminal, shows the crate cargo is compiling and the time.
pub fn run_showing_build(command: &mut Command, what: &str) -> std::io::Result<Output> {
    let started = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let reading_stdout = thread::spawn(move || {
        let mut bytes = Vec::new();
        stdout.read_to_end(&mut bytes).map(|_| bytes)
    });
    let status = Arc::new(Mutex::new(None::<String>));
    let ticker = std::io::stderr()
        .is_terminal()
        .then(|| Ticker::start(what.to_owned(), started, Arc::clone(&status)));

    let mut stderr = Vec::new();
    let mut lines = BufReader::new(child.stderr.take().expect("stderr is piped"));
    let mut line = Vec::new();
    while lines.read_until(b'\n', &mut line)? > 0 {
        if let Some(name) = compiling(&line) {
            *status.lock().unwrap_or_else(|e| e.into_inner()) = Some(name);
        }
        stderr.append(&mut line);
    }
    let exit = child.wait()?;
    let stdout = reading_stdout.join().expect("the reader thread ends")?;
    if let Some(ticker) = ticker {
        ticker.stop();
        let took = started.elapsed();
        if took >= WORTH_SAYING {
            eprintln!(
                "{what}: built in {:.0} s (later runs reuse the build)",
                took.as_secs_f64()
            );
        }
    }
    Ok(Output {
        status: exit,
        stdout,
        stderr,
    })
}

/// The crate of a cargo `Compiling <crate> v<version> …` line.
fn compiling(line: &[u8]) -> Option<String> {
    let line = String::from_utf8_lossy(line);
    let rest = line.trim_start().strip_prefix("Compiling ")?;
    rest.split_whitespace().next().map(str::to_owned)
}

/// Redraws the progress line on standard error until stopped.
struct Ticker {
    done: Arc<Mutex<bool>>,
    thread: thread::JoinHandle<()>,
}

impl Ticker {
    fn start(what: String, started: Instant, status: Arc<Mutex<Option<String>>>) -> Ticker {
        let done = Arc::new(Mutex::new(false));
        let stop = Arc::clone(&done);
        let thread = thread::spawn(move || {
            let mut drawn = false;
            while !*stop.lock().unwrap_or_else(|e| e.into_inner()) {
                let current = status.lock().unwrap_or_else(|e| e.into_inner()).clone();
                // Nothing is drawn until cargo compiles something: a run with nothing to build
                // says nothing.
                if let Some(name) = current {
                    let seconds = started.elapsed().as_secs();
                    let mut err = std::io::stderr().lock();
                    let _ = write!(err, "\r\x1b[2K{what}: compiling {name} ({seconds} s)");
                    let _ = err.flush();
                    drawn = true;
                }
                thread::sleep(Duration::from_millis(200));
            }
            if drawn {
                let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
            }
        });
        Ticker { done, thread }
    }

    fn stop(self) {
        *self.done.lock().unwrap_or_else(|e| e.into_inner()) = true;
        let _ = self.thread.join();
    }
}

#[cfg(test)]
mod tests {
    use super::compiling;

    #[test]
    fn the_crate_of_a_compiling_line_is_read() {
        assert_eq!(
            compiling(b"   Compiling diesel v2.3.14\n").as_deref(),
            Some("diesel")
        );
        assert_eq!(
            compiling(b"   Compiling shop v0.1.0 (/home/me/shop)\n").as_deref(),
            Some("shop")
        );
        assert_eq!(compiling(b"    Finished `test` profile\n"), None);
        assert_eq!(compiling(b"warning: unused import\n"), None);
    }
}
