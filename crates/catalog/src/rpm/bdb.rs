//! The Berkeley DB hash database that rpm < 4.16 keeps in `/var/lib/rpm/Packages` (CentOS and
//! RHEL 7/8, Amazon Linux 2, UBI 8): every value is one package's header blob. Read page by page
//! without the Berkeley DB library; every offset is bounds-checked.

const HASH_MAGIC: u32 = 0x0006_1561;
const PAGE_HEADER: usize = 26;
const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASHMETA: u8 = 8;
const P_HASH: u8 = 13;
const H_KEYDATA: u8 = 1;
const H_OFFPAGE: u8 = 3;

struct Reader<'a> {
    data: &'a [u8],
    page_size: usize,
    big_endian: bool,
}

impl Reader<'_> {
    fn u16(&self, at: usize) -> Option<u16> {
        let b = self.data.get(at..at + 2)?;
        Some(if self.big_endian {
            u16::from_be_bytes([b[0], b[1]])
        } else {
            u16::from_le_bytes([b[0], b[1]])
        })
    }

    fn u32(&self, at: usize) -> Option<u32> {
        let b = self.data.get(at..at + 4)?;
        let b = [b[0], b[1], b[2], b[3]];
        Some(if self.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    }

    fn page(&self, pgno: u32) -> Option<&[u8]> {
        let start = (pgno as usize).checked_mul(self.page_size)?;
        self.data.get(start..start.checked_add(self.page_size)?)
    }

    /// Follows a chain of overflow pages from `pgno`, collecting `total` bytes.
    fn overflow(&self, mut pgno: u32, total: usize) -> Result<Vec<u8>, String> {
        let mut out = Vec::with_capacity(total.min(self.data.len()));
        let mut hops = 0usize;
        while out.len() < total {
            hops += 1;
            if pgno == 0 || hops > self.data.len() / self.page_size + 1 {
                return Err("broken overflow page chain".into());
            }
            let page = self
                .page(pgno)
                .ok_or("overflow page past the end of the file")?;
            let base = pgno as usize * self.page_size;
            if page[25] != P_OVERFLOW {
                return Err(format!("page {pgno} is not an overflow page"));
            }
            let used = self.u16(base + 22).unwrap_or(0) as usize;
            let chunk = page
                .get(PAGE_HEADER..PAGE_HEADER + used)
                .ok_or("overflow page claims more bytes than it holds")?;
            out.extend_from_slice(chunk);
            pgno = self.u32(base + 16).unwrap_or(0);
        }
        out.truncate(total);
        Ok(out)
    }
}

/// Every value of the hash database, in page order.
pub(crate) fn values(data: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let magic_le = data
        .get(12..16)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or("file too short for a Berkeley DB")?;
    let big_endian = match magic_le {
        HASH_MAGIC => false,
        m if m.swap_bytes() == HASH_MAGIC => true,
        _ => return Err("not a Berkeley DB hash database".into()),
    };
    let mut r = Reader {
        data,
        page_size: 512,
        big_endian,
    };
    let page_size = r.u32(20).ok_or("truncated metadata page")? as usize;
    if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
        return Err(format!("implausible page size {page_size}"));
    }
    if data.get(25) != Some(&P_HASHMETA) {
        return Err("first page is not hash metadata".into());
    }
    r.page_size = page_size;
    let last_page = r.u32(32).ok_or("truncated metadata page")?;
    let mut out = Vec::new();
    for pgno in 1..=last_page {
        let Some(page) = r.page(pgno) else {
            return Err(format!(
                "page {pgno} is past the end of the file (truncated?)"
            ));
        };
        if page[25] != P_HASH && page[25] != P_HASH_UNSORTED {
            continue;
        }
        let base = pgno as usize * page_size;
        let entries = r.u16(base + 20).unwrap_or(0) as usize;
        // Items are (key, value) pairs; only values matter. Items are packed from the end of the
        // page downwards, so an item ends where the one before it starts.
        for i in (1..entries).step_by(2) {
            let offset = r
                .u16(base + PAGE_HEADER + i * 2)
                .ok_or("truncated item index")? as usize;
            let end = if i == 0 {
                page_size
            } else {
                r.u16(base + PAGE_HEADER + (i - 1) * 2)
                    .ok_or("truncated item index")? as usize
            };
            let item = page
                .get(offset..end.max(offset))
                .ok_or("item outside its page")?;
            match item.first() {
                Some(&H_OFFPAGE) => {
                    let next = r.u32(base + offset + 4).ok_or("truncated off-page item")?;
                    let total = r.u32(base + offset + 8).ok_or("truncated off-page item")?;
                    out.push(r.overflow(next, total as usize)?);
                }
                Some(&H_KEYDATA) => out.push(item[1..].to_vec()),
                _ => {}
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn rejects_what_is_not_a_hash_database() {
        assert!(super::values(b"").is_err());
        assert!(super::values(&[0u8; 4096]).is_err());
        // A metadata page that claims pages the file does not have.
        let mut meta = vec![0u8; 512];
        meta[12..16].copy_from_slice(&0x0006_1561u32.to_le_bytes());
        meta[20..24].copy_from_slice(&512u32.to_le_bytes());
        meta[25] = 8;
        meta[32..36].copy_from_slice(&9u32.to_le_bytes());
        let err = super::values(&meta).unwrap_err();
        assert!(err.contains("past the end"), "{err}");
    }
}
