//! Just enough of ELF to find a section by name, with every offset checked: a truncated or
//! hostile binary gives an error, never a panic.

pub(crate) const MAGIC: &[u8; 4] = b"\x7fELF";

pub(crate) fn is_elf(content: &[u8]) -> bool {
    content.starts_with(MAGIC)
}

struct Reader<'a> {
    data: &'a [u8],
    big_endian: bool,
}

impl Reader<'_> {
    fn bytes<const N: usize>(&self, at: u64) -> Result<[u8; N], String> {
        let at = usize::try_from(at).map_err(|_| "offset out of range".to_string())?;
        self.data
            .get(at..at.checked_add(N).ok_or("offset out of range")?)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| format!("truncated ELF: {N} bytes at offset {at} are past the end"))
    }
    fn u16(&self, at: u64) -> Result<u16, String> {
        let b = self.bytes::<2>(at)?;
        Ok(if self.big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    }
    fn u32(&self, at: u64) -> Result<u32, String> {
        let b = self.bytes::<4>(at)?;
        Ok(if self.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    }
    fn u64(&self, at: u64) -> Result<u64, String> {
        let b = self.bytes::<8>(at)?;
        Ok(if self.big_endian {
            u64::from_be_bytes(b)
        } else {
            u64::from_le_bytes(b)
        })
    }
}

/// The bytes of section `name`, `Ok(None)` when the binary has no such section.
pub(crate) fn section<'a>(data: &'a [u8], name: &str) -> Result<Option<&'a [u8]>, String> {
    if !is_elf(data) {
        return Err("not an ELF file".into());
    }
    let class64 = match data.get(4) {
        Some(1) => false,
        Some(2) => true,
        _ => return Err("unknown ELF class".into()),
    };
    let r = Reader {
        data,
        big_endian: data.get(5) == Some(&2),
    };
    let (shoff, shentsize, shnum, shstrndx) = if class64 {
        (r.u64(0x28)?, r.u16(0x3a)?, r.u16(0x3c)?, r.u16(0x3e)?)
    } else {
        (
            u64::from(r.u32(0x20)?),
            r.u16(0x2e)?,
            r.u16(0x30)?,
            r.u16(0x32)?,
        )
    };
    if shoff == 0 || shnum == 0 {
        return Ok(None);
    }
    let header = |i: u16| -> Result<(u32, u64, u64), String> {
        let base = shoff + u64::from(i) * u64::from(shentsize);
        if class64 {
            Ok((r.u32(base)?, r.u64(base + 24)?, r.u64(base + 32)?))
        } else {
            Ok((
                r.u32(base)?,
                u64::from(r.u32(base + 16)?),
                u64::from(r.u32(base + 20)?),
            ))
        }
    };
    let slice = |offset: u64, size: u64| -> Result<&'a [u8], String> {
        let start = usize::try_from(offset).map_err(|_| "section offset out of range")?;
        let len = usize::try_from(size).map_err(|_| "section size out of range")?;
        data.get(start..start.checked_add(len).ok_or("section out of range")?)
            .ok_or_else(|| "truncated ELF: a section runs past the end of the file".to_string())
    };
    let (_, names_offset, names_size) = header(shstrndx)?;
    let names = slice(names_offset, names_size)?;
    for i in 0..shnum {
        let (name_at, offset, size) = header(i)?;
        let Some(rest) = names.get(name_at as usize..) else {
            continue;
        };
        let end = rest.iter().position(|b| *b == 0).unwrap_or(rest.len());
        if &rest[..end] == name.as_bytes() {
            return slice(offset, size).map(Some);
        }
    }
    Ok(None)
}

/// Builds a small little-endian ELF64 file with the given sections, for tests.
#[cfg(test)]
pub(crate) fn build_test_elf(sections: &[(&str, &[u8])]) -> Vec<u8> {
    let mut names = vec![0u8];
    let mut name_offsets = Vec::new();
    for (n, _) in sections.iter().copied().chain([(".shstrtab", &[][..])]) {
        name_offsets.push(names.len() as u32);
        names.extend_from_slice(n.as_bytes());
        names.push(0);
    }
    let mut data = vec![0u8; 64];
    let mut placed = Vec::new();
    for (_, bytes) in sections {
        placed.push((data.len() as u64, bytes.len() as u64));
        data.extend_from_slice(bytes);
    }
    placed.push((data.len() as u64, names.len() as u64));
    data.extend_from_slice(&names);
    let shoff = data.len() as u64;
    // Section 0 is the null section.
    data.extend_from_slice(&[0u8; 64]);
    for (i, (offset, size)) in placed.iter().enumerate() {
        let mut h = [0u8; 64];
        h[0..4].copy_from_slice(&name_offsets[i].to_le_bytes());
        h[24..32].copy_from_slice(&offset.to_le_bytes());
        h[32..40].copy_from_slice(&size.to_le_bytes());
        data.extend_from_slice(&h);
    }
    data[0..4].copy_from_slice(MAGIC);
    data[4] = 2;
    data[5] = 1;
    data[0x28..0x30].copy_from_slice(&shoff.to_le_bytes());
    data[0x3a..0x3c].copy_from_slice(&64u16.to_le_bytes());
    data[0x3c..0x3e].copy_from_slice(&((placed.len() + 1) as u16).to_le_bytes());
    data[0x3e..0x40].copy_from_slice(&(placed.len() as u16).to_le_bytes());
    data
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_sections_and_rejects_truncation() {
        let elf = super::build_test_elf(&[(".dep-v0", b"hello"), (".other", b"x")]);
        assert_eq!(
            super::section(&elf, ".dep-v0").unwrap(),
            Some(&b"hello"[..])
        );
        assert_eq!(super::section(&elf, ".missing").unwrap(), None);
        let truncated = &elf[..elf.len() - 40];
        assert!(
            super::section(truncated, ".dep-v0")
                .unwrap_err()
                .contains("truncated")
        );
        assert!(super::section(&elf[..20], ".dep-v0").is_err());
        assert!(super::section(b"MZ not elf", ".x").is_err());
    }
}
