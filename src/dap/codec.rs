//! Content-Length framing for DAP messages, as a `tokio_util::codec` pair.
//!
//! The decoder never fails on bad input from the peer: a broken frame becomes a
//! [`Frame::Rejected`] or [`Frame::InvalidJson`] item and the decoder moves on to
//! the next frame, so one bad message cannot end a debug session. Only I/O
//! errors end the stream.

use std::fmt::{self, Write as _};
use std::sync::LazyLock;

use bytes::{Buf, BufMut, BytesMut};
use serde::Serialize;
use serde_json::Value;
use tokio_util::codec::{Decoder, Encoder};

/// Largest message body accepted, in bytes.
pub const MAX_BODY: usize = 16 * 1024 * 1024;

/// Largest header block accepted, in bytes; real clients send about 25.
pub const MAX_HEADER: usize = 8 * 1024;

const HEADER_END: &[u8] = b"\r\n\r\n";

/// One item read from the wire.
#[derive(Debug)]
pub enum Frame {
    /// A well-framed body holding valid JSON.
    Message(Value),
    /// A well-framed body that is not JSON. `seq` and `command` are what could
    /// be salvaged from the text, so that a request can still be answered.
    InvalidJson {
        /// The parser's complaint.
        error: String,
        /// `seq` of the message, when it could be read.
        seq: Option<i64>,
        /// `command` of the message, when it could be read.
        command: Option<String>,
    },
    /// A frame that was dropped; the codec has resynchronised on the next one.
    Rejected(FrameError),
}

/// Why a frame was dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// The frame carried an `Origin:` header, which only a web browser sends.
    OriginRefused {
        /// The value of the header.
        origin: String,
    },
    /// The header block had no `Content-Length`.
    MissingContentLength,
    /// `Content-Length` was not a non-negative integer.
    BadContentLength {
        /// The value as sent.
        value: String,
    },
    /// The body was larger than [`MAX_BODY`].
    TooLarge {
        /// The announced length.
        length: usize,
    },
    /// No header terminator was found within [`MAX_HEADER`] bytes.
    HeaderTooLong,
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::OriginRefused { origin } => write!(
                f,
                "refused a message with an Origin header ({origin}): web pages may not drive the debugger; \
                 connect from a debugger client, not a browser"
            ),
            FrameError::MissingContentLength => write!(
                f,
                "dropped a message without a Content-Length header; \
                 every message must start with `Content-Length: N` followed by a blank line"
            ),
            FrameError::BadContentLength { value } => write!(
                f,
                "dropped a message whose Content-Length `{value}` is not a byte count; \
                 send the body length in bytes as a decimal number"
            ),
            FrameError::TooLarge { length } => write!(
                f,
                "dropped a message of {length} bytes: the limit is {MAX_BODY} bytes (16 MiB); \
                 send large data in smaller pieces"
            ),
            FrameError::HeaderTooLong => write!(
                f,
                "dropped {MAX_HEADER} bytes without a header terminator; \
                 headers must end with an empty line (\\r\\n\\r\\n)"
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Looking for the end of a header block.
    Head,
    /// Waiting for `len` body bytes; `refused` bodies are dropped once read.
    Body { len: usize, refused: bool },
    /// Discarding the rest of an oversize body without buffering it.
    Skip { remaining: usize },
}

/// The DAP framing codec. Decodes [`Frame`]s and encodes any `Serialize` message.
#[derive(Debug)]
pub struct DapCodec {
    state: State,
    pending_refusal: Option<FrameError>,
}

impl Default for DapCodec {
    fn default() -> Self {
        Self::new()
    }
}

impl DapCodec {
    /// A codec at the start of a stream.
    pub fn new() -> Self {
        DapCodec {
            state: State::Head,
            pending_refusal: None,
        }
    }
}

/// What a header block said.
struct Head {
    content_length: Result<usize, FrameError>,
    origin: Option<String>,
}

fn parse_head(block: &[u8]) -> Head {
    let text = String::from_utf8_lossy(block);
    let mut content_length = Err(FrameError::MissingContentLength);
    let mut origin = None;
    for line in text.split("\r\n") {
        let Some(value) = content_length_value(line) else {
            if let Some((name, value)) = line.split_once(':')
                && name.trim().eq_ignore_ascii_case("origin")
            {
                origin = Some(value.trim().chars().take(200).collect());
            }
            continue;
        };
        content_length = match value.parse::<usize>() {
            Ok(n) => Ok(n),
            Err(_) => Err(FrameError::BadContentLength {
                value: value.chars().take(40).collect(),
            }),
        };
    }
    Head {
        content_length,
        origin,
    }
}

const CONTENT_LENGTH: &str = "content-length";

/// The value of `line` when it is a `Content-Length` header.
///
/// A header counts only under its exact name, so `X-Original-Content-Length`
/// is just another unknown header. A line whose text before the first colon
/// cannot be a header name is leftover bytes of a broken frame; a
/// `Content-Length:` at its end still counts, so the stream resynchronises on
/// the next real frame.
fn content_length_value(line: &str) -> Option<&str> {
    if let Some((name, value)) = line.split_once(':') {
        let name = name.trim();
        if name.eq_ignore_ascii_case(CONTENT_LENGTH) {
            return Some(value.trim());
        }
        if is_header_name(name) {
            return None;
        }
    }
    let lower = line.to_ascii_lowercase();
    let at = lower.rfind(CONTENT_LENGTH)?;
    let value = line[at + CONTENT_LENGTH.len()..]
        .trim_start()
        .strip_prefix(':')?;
    Some(value.trim())
}

/// Whether `name` is an HTTP header name (an RFC 9110 token).
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

impl Decoder for DapCodec {
    type Item = Frame;
    type Error = std::io::Error;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, Self::Error> {
        loop {
            match self.state {
                State::Skip { remaining } => {
                    let n = remaining.min(src.len());
                    src.advance(n);
                    if n < remaining {
                        self.state = State::Skip {
                            remaining: remaining - n,
                        };
                        return Ok(None);
                    }
                    self.state = State::Head;
                }
                State::Body { len, refused } => {
                    if src.len() < len {
                        src.reserve(len - src.len());
                        return Ok(None);
                    }
                    let body = src.split_to(len);
                    self.state = State::Head;
                    if refused {
                        let reason = self
                            .pending_refusal
                            .take()
                            .unwrap_or(FrameError::MissingContentLength);
                        return Ok(Some(Frame::Rejected(reason)));
                    }
                    return Ok(Some(parse_body(&body)));
                }
                State::Head => {
                    let Some(pos) = find(src, HEADER_END) else {
                        if src.len() > MAX_HEADER {
                            // Keep a tail that may hold the start of a terminator.
                            src.advance(src.len() - (HEADER_END.len() - 1));
                            return Ok(Some(Frame::Rejected(FrameError::HeaderTooLong)));
                        }
                        return Ok(None);
                    };
                    if pos > MAX_HEADER {
                        src.advance(pos + HEADER_END.len());
                        return Ok(Some(Frame::Rejected(FrameError::HeaderTooLong)));
                    }
                    let head = parse_head(&src[..pos]);
                    src.advance(pos + HEADER_END.len());
                    let len = match head.content_length {
                        Ok(len) => len,
                        Err(e) => {
                            if let Some(origin) = head.origin {
                                return Ok(Some(Frame::Rejected(FrameError::OriginRefused {
                                    origin,
                                })));
                            }
                            return Ok(Some(Frame::Rejected(e)));
                        }
                    };
                    if len > MAX_BODY {
                        self.state = State::Skip { remaining: len };
                        return Ok(Some(Frame::Rejected(FrameError::TooLarge { length: len })));
                    }
                    match head.origin {
                        Some(origin) => {
                            self.pending_refusal = Some(FrameError::OriginRefused { origin });
                            self.state = State::Body { len, refused: true };
                        }
                        None => {
                            self.state = State::Body {
                                len,
                                refused: false,
                            }
                        }
                    }
                }
            }
        }
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, Self::Error> {
        match self.decode(src)? {
            Some(frame) => Ok(Some(frame)),
            None => {
                // A truncated last frame is not worth an error: the peer is gone.
                src.clear();
                Ok(None)
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn parse_body(body: &[u8]) -> Frame {
    match serde_json::from_slice::<Value>(body) {
        Ok(value) => Frame::Message(value),
        Err(e) => {
            let (seq, command) = salvage(body);
            Frame::InvalidJson {
                error: e.to_string(),
                seq,
                command,
            }
        }
    }
}

static SEQ_RE: LazyLock<regex::bytes::Regex> =
    LazyLock::new(|| regex::bytes::Regex::new(r#""seq"\s*:\s*(\d{1,15})"#).expect("valid regex"));
static COMMAND_RE: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
    regex::bytes::Regex::new(r#""command"\s*:\s*"([^"\\]{1,200})""#).expect("valid regex")
});

/// Reads `seq` and `command` out of a body that failed to parse.
fn salvage(body: &[u8]) -> (Option<i64>, Option<String>) {
    let seq = SEQ_RE
        .captures(body)
        .and_then(|c| std::str::from_utf8(&c[1]).ok()?.parse().ok());
    let command = COMMAND_RE
        .captures(body)
        .and_then(|c| Some(std::str::from_utf8(&c[1]).ok()?.to_owned()));
    (seq, command)
}

impl<T: Serialize> Encoder<T> for DapCodec {
    type Error = std::io::Error;

    /// Writes header and body into one buffer, so each message is one write.
    fn encode(&mut self, item: T, dst: &mut BytesMut) -> Result<(), Self::Error> {
        let body = serde_json::to_vec(&item)?;
        dst.reserve(body.len() + 32);
        write!(dst, "Content-Length: {}\r\n\r\n", body.len())
            .map_err(|_| std::io::Error::other("could not format the frame header"))?;
        dst.put_slice(&body);
        Ok(())
    }
}

/// Frames `body` as it goes on the wire; handy for tests and tools.
pub fn frame_bytes(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

#[cfg(test)]
mod tests;
