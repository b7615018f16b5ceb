//! Record ids: key prefix, instance, and a base-62 counter, with the checksum suffix.

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The 18-character id of the `n`th record with a key prefix.
pub fn make_id(prefix: &str, n: u64) -> String {
    let mut digits = [b'0'; 9];
    let mut x = n;
    for d in digits.iter_mut().rev() {
        *d = BASE62[(x % 62) as usize];
        x /= 62;
    }
    let id15 = format!(
        "{prefix}Dn0{}",
        std::str::from_utf8(&digits).expect("ascii")
    );
    crate::vm::builtins::id::to_18(&id15).expect("well-formed id")
}

/// The key prefix of an id.
pub fn prefix_of(id: &str) -> &str {
    id.get(..3).unwrap_or("")
}

/// The 15-character key that 15- and 18-character forms of an id share.
pub fn key15(id: &str) -> &str {
    id.get(..15).unwrap_or(id)
}
