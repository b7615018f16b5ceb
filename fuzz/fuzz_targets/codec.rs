//! Feeds arbitrary bytes, split at arbitrary points, through the DAP codec and
//! the envelope parser. Neither may panic, loop, or lose a well-formed frame.

#![no_main]

use bytes::BytesMut;
use isvdbg::dap::codec::{DapCodec, Frame};
use isvdbg::dap::protocol::{Command, ProtocolMessage, RequestArguments};
use libfuzzer_sys::fuzz_target;
use serde::Deserialize as _;
use tokio_util::codec::{Decoder, Encoder};

fuzz_target!(|data: &[u8]| {
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(split).max(1);
    let mut codec = DapCodec::new();
    let mut buf = BytesMut::new();
    let mut frames = Vec::new();
    for piece in rest.chunks(chunk) {
        buf.extend_from_slice(piece);
        while let Some(frame) = codec.decode(&mut buf).expect("decoding bytes never fails") {
            frames.push(frame);
        }
    }
    while let Some(frame) = codec
        .decode_eof(&mut buf)
        .expect("decoding bytes never fails")
    {
        frames.push(frame);
    }
    for frame in frames {
        let Frame::Message(value) = frame else {
            continue;
        };
        // The envelope parser must cope with any JSON.
        if let Ok(ProtocolMessage::Request(request)) = ProtocolMessage::deserialize(&value) {
            if let Command::Other { command, .. } = &request.command {
                let _ = RequestArguments::is_known(command);
            }
        }
        // Whatever decoded re-encodes and decodes to the same value.
        let mut out = BytesMut::new();
        DapCodec::new()
            .encode(&value, &mut out)
            .expect("encoding a JSON value never fails");
        let again = DapCodec::new()
            .decode(&mut out)
            .expect("decoding never fails");
        match again {
            Some(Frame::Message(v)) => assert_eq!(v, value),
            other => panic!("re-encoded frame did not round-trip: {other:?}"),
        }
    }
});
