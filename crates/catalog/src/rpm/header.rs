//! The header blob rpm stores per package: a count of index entries, a data length, the index
//! (tag, type, offset, count; big-endian) and the data it points into. Every read is
//! bounds-checked: a hostile database yields an error, never a panic.

use std::collections::HashMap;

pub(crate) const NAME: u32 = 1000;
pub(crate) const VERSION: u32 = 1001;
pub(crate) const RELEASE: u32 = 1002;
pub(crate) const EPOCH: u32 = 1003;
pub(crate) const SIZE: u32 = 1009;
pub(crate) const VENDOR: u32 = 1011;
pub(crate) const LICENSE: u32 = 1014;
pub(crate) const ARCH: u32 = 1022;
pub(crate) const FILEDIGESTS: u32 = 1035;
pub(crate) const FILEFLAGS: u32 = 1037;
pub(crate) const SOURCERPM: u32 = 1044;
pub(crate) const DIRINDEXES: u32 = 1116;
pub(crate) const BASENAMES: u32 = 1117;
pub(crate) const DIRNAMES: u32 = 1118;
pub(crate) const LONGSIZE: u32 = 5009;
pub(crate) const FILEDIGESTALGO: u32 = 5011;
pub(crate) const MODULARITYLABEL: u32 = 5096;

const TYPE_INT32: u32 = 4;
const TYPE_INT64: u32 = 5;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

#[derive(Debug, Clone, Copy)]
struct IndexEntry {
    kind: u32,
    offset: usize,
    count: usize,
}

#[derive(Debug)]
pub(crate) struct Header<'a> {
    index: HashMap<u32, IndexEntry>,
    data: &'a [u8],
}

fn be_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

pub(crate) fn parse(blob: &[u8]) -> Result<Header<'_>, String> {
    let count = be_u32(blob, 0).ok_or("header shorter than 8 bytes")? as usize;
    let data_len = be_u32(blob, 4).ok_or("header shorter than 8 bytes")? as usize;
    let index_end = count
        .checked_mul(16)
        .and_then(|n| n.checked_add(8))
        .filter(|n| *n <= blob.len())
        .ok_or("index runs past the end of the header")?;
    let data = blob
        .get(index_end..index_end.checked_add(data_len).ok_or("bad data length")?)
        .ok_or("data runs past the end of the header")?;
    let mut index = HashMap::with_capacity(count);
    for i in 0..count {
        let at = 8 + i * 16;
        let tag = be_u32(blob, at).ok_or("truncated index")?;
        let kind = be_u32(blob, at + 4).ok_or("truncated index")?;
        let offset = be_u32(blob, at + 8).ok_or("truncated index")? as usize;
        let count = be_u32(blob, at + 12).ok_or("truncated index")? as usize;
        if offset > data.len() {
            return Err(format!("tag {tag}: offset {offset} past the data"));
        }
        index.entry(tag).or_insert(IndexEntry {
            kind,
            offset,
            count,
        });
    }
    Ok(Header { index, data })
}

impl Header<'_> {
    /// A string tag (or the first of a string array or i18n string).
    pub(crate) fn string(&self, tag: u32) -> Option<String> {
        let e = self.index.get(&tag)?;
        match e.kind {
            TYPE_STRING | TYPE_I18NSTRING | TYPE_STRING_ARRAY => {
                self.read_strings(e.offset, 1).into_iter().next()
            }
            _ => None,
        }
    }

    pub(crate) fn strings(&self, tag: u32) -> Vec<String> {
        match self.index.get(&tag) {
            Some(e) if e.kind == TYPE_STRING_ARRAY || e.kind == TYPE_I18NSTRING => {
                self.read_strings(e.offset, e.count)
            }
            Some(e) if e.kind == TYPE_STRING => self.read_strings(e.offset, 1),
            _ => Vec::new(),
        }
    }

    pub(crate) fn int32(&self, tag: u32) -> Vec<u32> {
        match self.index.get(&tag) {
            Some(e) if e.kind == TYPE_INT32 => (0..e.count)
                .map_while(|i| be_u32(self.data, e.offset + i * 4))
                .collect(),
            _ => Vec::new(),
        }
    }

    pub(crate) fn int64(&self, tag: u32) -> Vec<u64> {
        match self.index.get(&tag) {
            Some(e) if e.kind == TYPE_INT64 => (0..e.count)
                .map_while(|i| {
                    let hi = be_u32(self.data, e.offset + i * 8)?;
                    let lo = be_u32(self.data, e.offset + i * 8 + 4)?;
                    Some((u64::from(hi) << 32) | u64::from(lo))
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    fn read_strings(&self, offset: usize, count: usize) -> Vec<String> {
        let mut out = Vec::new();
        let mut at = offset;
        for _ in 0..count {
            let Some(rest) = self.data.get(at..) else {
                break;
            };
            let Some(end) = rest.iter().position(|b| *b == 0) else {
                break;
            };
            out.push(String::from_utf8_lossy(&rest[..end]).into_owned());
            at += end + 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hostile_headers_are_errors_not_panics() {
        assert!(super::parse(&[]).is_err());
        assert!(super::parse(&[0, 0, 0, 9, 0, 0, 0, 0]).is_err());
        assert!(super::parse(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).is_err());
        let mut blob = vec![0, 0, 0, 1, 0, 0, 0, 4];
        // tag 1000, type string, offset 99 (past the 4 data bytes)
        blob.extend_from_slice(&[0, 0, 3, 232, 0, 0, 0, 6, 0, 0, 0, 99, 0, 0, 0, 1]);
        blob.extend_from_slice(b"abc\0");
        assert!(super::parse(&blob).is_err());
        let mut ok = vec![0, 0, 0, 1, 0, 0, 0, 4];
        ok.extend_from_slice(&[0, 0, 3, 232, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 1]);
        ok.extend_from_slice(b"abc\0");
        let h = super::parse(&ok).unwrap();
        assert_eq!(h.string(super::NAME).as_deref(), Some("abc"));
        assert!(h.int32(super::EPOCH).is_empty());
    }
}
