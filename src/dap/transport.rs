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
    pub fn stdio() -> Self {
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
