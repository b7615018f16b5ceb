use bytes::BytesMut;
use serde_json::{Value, json};
use tokio_util::codec::{Decoder, Encoder};

use super::*;

/// Decodes everything `input` holds, fed in chunks of `chunk` bytes.
fn decode_all(input: &[u8], chunk: usize) -> Vec<Frame> {
    let mut codec = DapCodec::new();
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for piece in input.chunks(chunk.max(1)) {
        buf.extend_from_slice(piece);
        while let Some(frame) = codec.decode(&mut buf).unwrap() {
            out.push(frame);
        }
    }
    while let Some(frame) = codec.decode_eof(&mut buf).unwrap() {
        out.push(frame);
    }
    out
}

fn messages(frames: &[Frame]) -> Vec<Value> {
    frames
        .iter()
        .filter_map(|f| match f {
            Frame::Message(v) => Some(v.clone()),
            _ => None,
        })
        .collect()
}

fn request(seq: i64, command: &str) -> Value {
    json!({"seq": seq, "type": "request", "command": command})
}

fn framed(v: &Value) -> Vec<u8> {
    frame_bytes(v.to_string().as_bytes())
}

#[test]
fn round_trips_a_message() {
    let msg = json!({"seq": 1, "type": "event", "event": "output",
                     "body": {"output": "héllo ✓\n", "category": "stdout"}});
    let mut codec = DapCodec::new();
    let mut buf = BytesMut::new();
    codec.encode(&msg, &mut buf).unwrap();
    let text = String::from_utf8(buf.to_vec()).unwrap();
    let body_len = msg.to_string().len();
    assert!(text.starts_with(&format!("Content-Length: {body_len}\r\n\r\n")));
    let frame = codec.decode(&mut buf).unwrap().unwrap();
    assert!(matches!(frame, Frame::Message(v) if v == msg));
    assert!(buf.is_empty());
}

#[test]
fn encodes_several_messages_back_to_back() {
    let mut codec = DapCodec::new();
    let mut buf = BytesMut::new();
    for i in 1..=3 {
        codec.encode(request(i, "threads"), &mut buf).unwrap();
    }
    let got = messages(&decode_all(&buf, 4096));
    assert_eq!(
        got,
        vec![
            request(1, "threads"),
            request(2, "threads"),
            request(3, "threads")
        ]
    );
}

#[test]
fn decodes_a_frame_delivered_byte_by_byte() {
    let msg = request(7, "initialize");
    let frames = decode_all(&framed(&msg), 1);
    assert_eq!(messages(&frames), vec![msg]);
    assert_eq!(frames.len(), 1);
}

#[test]
fn decodes_two_frames_in_one_read() {
    let mut input = framed(&request(1, "initialize"));
    input.extend(framed(&request(2, "threads")));
    let frames = decode_all(&input, input.len());
    assert_eq!(
        messages(&frames),
        vec![request(1, "initialize"), request(2, "threads")]
    );
}

#[test]
fn headers_are_case_insensitive_and_unknown_ones_ignored() {
    let body = request(3, "threads").to_string();
    let input = format!(
        "X-Trace: abc\r\ncontent-LENGTH:{}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{body}",
        body.len()
    );
    assert_eq!(
        messages(&decode_all(input.as_bytes(), 5)),
        vec![request(3, "threads")]
    );
}

#[test]
fn only_the_exact_content_length_header_sets_the_length() {
    let body = request(4, "threads").to_string();
    for headers in [
        format!(
            "X-Original-Content-Length: 3\r\nContent-Length: {}",
            body.len()
        ),
        format!(
            "Content-Length: {}\r\nX-Original-Content-Length: 3",
            body.len()
        ),
        format!(
            "content-length: {}\r\nX-Note: content-length: 3",
            body.len()
        ),
    ] {
        let input = format!("{headers}\r\n\r\n{body}");
        let frames = decode_all(input.as_bytes(), 64);
        assert_eq!(messages(&frames), vec![request(4, "threads")], "{headers}");
        assert_eq!(frames.len(), 1, "{headers}");
    }
    let frames = decode_all(b"X-Original-Content-Length: 3\r\n\r\n", 64);
    assert!(matches!(
        &frames[..],
        [Frame::Rejected(FrameError::MissingContentLength)]
    ));
}

#[test]
fn missing_content_length_is_rejected_and_the_next_frame_still_decodes() {
    let mut input = b"X-Other: 1\r\n\r\n".to_vec();
    input.extend(framed(&request(2, "threads")));
    let frames = decode_all(&input, 3);
    assert!(matches!(
        &frames[0],
        Frame::Rejected(FrameError::MissingContentLength)
    ));
    assert_eq!(messages(&frames), vec![request(2, "threads")]);
}

#[test]
fn bad_content_length_is_rejected_and_the_stream_resynchronises() {
    // The body of the bad frame cannot be measured, so it runs into the next
    // header block; the codec still finds the next Content-Length.
    let mut input = b"Content-Length: twelve\r\n\r\n{\"seq\":1}".to_vec();
    input.extend(framed(&request(2, "threads")));
    let frames = decode_all(&input, 7);
    assert!(matches!(
        &frames[0],
        Frame::Rejected(FrameError::BadContentLength { value }) if value == "twelve"
    ));
    assert_eq!(messages(&frames), vec![request(2, "threads")]);
    let negative = decode_all(b"Content-Length: -5\r\n\r\n", 64);
    assert!(matches!(
        &negative[0],
        Frame::Rejected(FrameError::BadContentLength { .. })
    ));
}

#[test]
fn oversize_body_is_skipped_without_buffering_it() {
    let length = MAX_BODY + 10;
    let mut codec = DapCodec::new();
    let mut buf = BytesMut::from(format!("Content-Length: {length}\r\n\r\n").as_bytes());
    let first = codec.decode(&mut buf).unwrap().unwrap();
    assert!(matches!(first, Frame::Rejected(FrameError::TooLarge { length: l }) if l == length));
    assert!(first_message_mentions(&first, "16 MiB"));
    // Stream the body in 1 MiB pieces: the buffer never grows past one piece.
    let piece = vec![b'x'; 1 << 20];
    let mut left = length;
    while left > 0 {
        let n = left.min(piece.len());
        buf.extend_from_slice(&piece[..n]);
        assert!(codec.decode(&mut buf).unwrap().is_none());
        assert!(buf.len() <= piece.len());
        left -= n;
    }
    buf.extend_from_slice(&framed(&request(9, "threads")));
    let next = codec.decode(&mut buf).unwrap().unwrap();
    assert!(matches!(next, Frame::Message(v) if v == request(9, "threads")));
}

fn first_message_mentions(frame: &Frame, text: &str) -> bool {
    match frame {
        Frame::Rejected(e) => e.to_string().contains(text),
        _ => false,
    }
}

#[test]
fn invalid_json_keeps_seq_and_command_when_readable() {
    let frames = decode_all(
        &frame_bytes(br#"{"seq": 41, "type": "request", "command": "threads", oops}"#),
        64,
    );
    match &frames[0] {
        Frame::InvalidJson {
            seq,
            command,
            error,
        } => {
            assert_eq!(*seq, Some(41));
            assert_eq!(command.as_deref(), Some("threads"));
            assert!(!error.is_empty());
        }
        other => panic!("expected InvalidJson, got {other:?}"),
    }
    let frames = decode_all(&frame_bytes(b"not json at all"), 64);
    assert!(matches!(
        &frames[0],
        Frame::InvalidJson {
            seq: None,
            command: None,
            ..
        }
    ));
}

#[test]
fn origin_header_is_refused_and_its_body_dropped() {
    let body = request(1, "launch").to_string();
    let mut input = format!(
        "POST / HTTP/1.1\r\nHost: localhost:4711\r\nOrigin: http://evil.example\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes();
    input.extend(framed(&request(2, "threads")));
    let frames = decode_all(&input, 11);
    assert!(matches!(
        &frames[0],
        Frame::Rejected(FrameError::OriginRefused { origin }) if origin == "http://evil.example"
    ));
    assert_eq!(messages(&frames), vec![request(2, "threads")]);
    // Without a Content-Length the refusal still wins over the framing error.
    let frames = decode_all(b"origin: null\r\n\r\n", 64);
    assert!(matches!(
        &frames[0],
        Frame::Rejected(FrameError::OriginRefused { .. })
    ));
}

#[test]
fn endless_header_is_rejected() {
    let input = vec![b'a'; MAX_HEADER * 3];
    let frames = decode_all(&input, 1024);
    assert!(
        frames
            .iter()
            .all(|f| matches!(f, Frame::Rejected(FrameError::HeaderTooLong)))
    );
    assert!(!frames.is_empty());
}

#[test]
fn empty_and_truncated_input_yield_nothing() {
    assert!(decode_all(b"", 1).is_empty());
    assert!(decode_all(b"Content-Length: 10\r\n\r\n{\"se", 1).is_empty());
}
