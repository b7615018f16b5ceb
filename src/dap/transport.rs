//! Byte streams a DAP session runs over: stdio, TCP, or an in-memory pair.

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_util::codec::{FramedRead, FramedWrite};

use super::codec::DapCodec;

/// A boxed reading half.
pub type BoxRead = Box<dyn AsyncRead + Send + Unpin>;
/// A boxed writing half.
pub type BoxWrite = Box<dyn AsyncWrite + Send + Unpin>;

/// Buffer size of an in-memory pipe; large enough that tests never stall on it.
const MEMORY_PIPE: usize = 1 << 20;

/// Both halves of a framed DAP stream.
pub struct Connection {
    /// Decodes incoming frames.
    pub reader: FramedRead<BoxRead, DapCodec>,
    /// Encodes outgoing messages, one write each.
    pub writer: FramedWrite<BoxWrite, DapCodec>,
}

impl Connection {
    /// Frames any pair of byte streams.
    pub fn new(
        reader: impl AsyncRead + Send + Unpin + 'static,
        writer: impl AsyncWrite + Send + Unpin + 'static,
    ) -> Self {
        Connection {
            reader: FramedRead::new(Box::new(reader), DapCodec::new()),
            writer: FramedWrite::new(Box::new(writer), DapCodec::new()),
        }
    }

    /// This process's stdin and stdout. Nothing else may write to stdout.
    ///
    /// When they are pipes (as when an editor starts the adapter) they are
    /// driven by the event loop directly; tokio's portable `stdin()` and
    /// `stdout()` hand every read and write to a blocking thread, which costs
    /// two thread hops per request.
    pub fn stdio() -> Self {
        #[cfg(unix)]
        match stdio_pipes() {
            Ok(Some((reader, writer))) => return Connection::new(reader, writer),
            Ok(None) => tracing::debug!("stdio is not a pair of pipes; using blocking stdio"),
            Err(e) => {
                tracing::debug!("could not drive stdio pipes directly ({e}); using blocking stdio")
            }
        }
        Connection::new(tokio::io::stdin(), tokio::io::stdout())
    }

    /// A TCP stream, with Nagle's algorithm off so small frames leave at once.
    pub fn tcp(stream: TcpStream) -> std::io::Result<Self> {
        stream.set_nodelay(true)?;
        let (reader, writer) = stream.into_split();
        Ok(Connection::new(reader, writer))
    }

    /// Two connected ends in memory: what one writes, the other reads. Tests
    /// run the real session loop and the real codec this way, with no process.
    pub fn memory() -> (Connection, Connection) {
        let (a, b) = tokio::io::duplex(MEMORY_PIPE);
        let (a_read, a_write) = tokio::io::split(a);
        let (b_read, b_write) = tokio::io::split(b);
        (
            Connection::new(a_read, a_write),
            Connection::new(b_read, b_write),
        )
    }
}

/// Stdin and stdout as event-driven pipes, when both are pipes.
///
/// Both are checked before either is touched: turning one into a pipe handle
/// makes it non-blocking, which the portable fallback could not read.
#[cfg(unix)]
fn stdio_pipes() -> std::io::Result<
    Option<(
        tokio::net::unix::pipe::Receiver,
        tokio::net::unix::pipe::Sender,
    )>,
> {
    use std::os::fd::{AsFd, OwnedFd};
    use std::os::unix::fs::FileTypeExt;
    use tokio::net::unix::pipe;

    let is_pipe = |fd: &OwnedFd| -> std::io::Result<bool> {
        let file = std::fs::File::from(fd.try_clone()?);
        Ok(file.metadata()?.file_type().is_fifo())
    };
    let stdin = std::io::stdin().as_fd().try_clone_to_owned()?;
    let stdout = std::io::stdout().as_fd().try_clone_to_owned()?;
    if !is_pipe(&stdin)? || !is_pipe(&stdout)? {
        return Ok(None);
    }
    Ok(Some((
        pipe::Receiver::from_owned_fd(stdin)?,
        pipe::Sender::from_owned_fd(stdout)?,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_tcp_connection_turns_nagle_off() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let _client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (accepted, _) = listener.accept().unwrap();
        // A second handle on the same socket, to read the option back.
        let probe = accepted.try_clone().unwrap();
        accepted.set_nonblocking(true).unwrap();
        assert!(!probe.nodelay().unwrap(), "Nagle is on by default");
        let _connection = Connection::tcp(TcpStream::from_std(accepted).unwrap()).unwrap();
        assert!(probe.nodelay().unwrap(), "TCP_NODELAY is set");
    }
}
