//! Helpers shared by the DAP and client integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use futures::StreamExt;
use isvdbg::dap::codec::{DapCodec, Frame, frame_bytes};
use serde_json::Value;
use tokio::io::{AsyncWriteExt, DuplexStream, ReadHalf, WriteHalf};
use tokio_util::codec::FramedRead;

/// The DAP schema to validate against.
///
/// `ISVDBG_DAP_SCHEMA`, when set, must name an existing file (CI sets it, so
/// schema checks can never be skipped there). Otherwise the schema beside the
/// repository is used when present; without it schema checks are skipped.
pub fn schema_path() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("ISVDBG_DAP_SCHEMA") {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "ISVDBG_DAP_SCHEMA={} does not exist; point it at debugAdapterProtocol.json",
            path.display()
        );
        return Some(path.canonicalize().unwrap());
    }
    let beside =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/dap/debugAdapterProtocol.json");
    if beside.is_file() {
        Some(beside.canonicalize().unwrap())
    } else {
        eprintln!("note: no DAP schema found; set ISVDBG_DAP_SCHEMA to check messages against it");
        None
    }
}

/// The raw client end of an in-memory session: bytes in, frames out.
pub struct RawPeer {
    pub writer: WriteHalf<DuplexStream>,
    pub reader: FramedRead<ReadHalf<DuplexStream>, DapCodec>,
}

impl RawPeer {
    pub async fn send_bytes(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).await.unwrap();
    }

    pub async fn send(&mut self, msg: &Value) {
        self.send_bytes(&frame_bytes(msg.to_string().as_bytes()))
            .await;
    }

    /// The next message, failing the test after 5 s.
    pub async fn recv(&mut self) -> Value {
        let next = tokio::time::timeout(std::time::Duration::from_secs(5), self.reader.next())
            .await
            .expect("the session answered within 5 s");
        match next {
            Some(Ok(Frame::Message(v))) => v,
            other => panic!("expected a message, got {other:?}"),
        }
    }

    /// `None` when the session closed the stream.
    pub async fn recv_or_end(&mut self) -> Option<Value> {
        let next = tokio::time::timeout(std::time::Duration::from_secs(5), self.reader.next())
            .await
            .expect("the session answered or closed within 5 s");
        match next {
            None => None,
            Some(Ok(Frame::Message(v))) => Some(v),
            other => panic!("expected a message or the end, got {other:?}"),
        }
    }
}
