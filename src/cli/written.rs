//! The files a run writes into its staging folder, each hashed (SHA-256) as its bytes go out:
//! the manifest lists every output with its hash, and reading 100 MB of tables and workbook back
//! at the end cost the report most of a second.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context;
use sha2::{Digest, Sha256};

/// The staging folder and the hashes of the files written into it so far.
#[derive(Debug)]
pub struct Written {
    dir: PathBuf,
    /// Relative path (`/`-separated) → SHA-256 in hex.
    hashes: Mutex<BTreeMap<String, String>>,
}

impl Written {
    pub fn new(dir: &Path) -> Written {
        Written { dir: dir.to_path_buf(), hashes: Mutex::new(BTreeMap::new()) }
    }

    /// The folder's path for `path` (relative, `/`-separated).
    pub fn path(&self, path: &str) -> PathBuf {
        self.dir.join(path)
    }

    /// Writes `bytes` to `path` (relative, `/`-separated), creating its folder.
    pub fn bytes(&self, path: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let mut file = self.create(path)?;
        file.write_all(bytes).with_context(|| format!("writing {}", file.full.display()))?;
        file.finish()
    }

    /// A file to stream into, hashed as it is written; [`HashedFile::finish`] keeps the hash.
    pub fn create(&self, path: &str) -> anyhow::Result<HashedFile<'_>> {
        let full = self.path(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        let file = std::fs::File::create(&full).with_context(|| format!("creating {}", full.display()))?;
        Ok(HashedFile { written: self, path: path.to_string(), full, file, hasher: Sha256::new() })
    }

    /// Every file in the folder, sorted, with its SHA-256: taken as it was written, or read now
    /// for a file written some other way.
    pub fn hashes(&self) -> anyhow::Result<Vec<(String, String)>> {
        let kept = self.hashes.lock().expect("no writer panics holding the lock").clone();
        let files = list(&self.dir)?;
        files
            .into_iter()
            .map(|f| {
                let hash = match kept.get(&f) {
                    Some(h) => h.clone(),
                    None => sha256(&self.dir.join(&f))?,
                };
                Ok((f, hash))
            })
            .collect()
    }
}

/// A file being written into the staging folder, hashed on the way.
pub struct HashedFile<'a> {
    written: &'a Written,
    path: String,
    full: PathBuf,
    file: std::fs::File,
    hasher: Sha256,
}

impl HashedFile<'_> {
    /// Flushes the file and keeps its hash.
    pub fn finish(mut self) -> anyhow::Result<()> {
        self.file.flush().with_context(|| format!("writing {}", self.full.display()))?;
        let hash = hex(&self.hasher.finalize());
        self.written.hashes.lock().expect("no writer panics holding the lock").insert(self.path, hash);
        Ok(())
    }
}

impl Write for HashedFile<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of a file's bytes, in hex.
pub fn sha256(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(hex(&Sha256::digest(&bytes)))
}

/// Every file under `dir`, relative, sorted, with `/` separators.
fn list(dir: &Path) -> anyhow::Result<Vec<String>> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(root, &path, out)?;
            } else if let Ok(rel) = path.strip_prefix(root) {
                out.push(rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out).with_context(|| format!("listing {}", dir.display()))?;
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_taken_on_write_equal_hashes_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let written = Written::new(dir.path());
        written.bytes("charts/a/b.svg", b"<svg/>").unwrap();
        let mut f = written.create("tables/t.csv").unwrap();
        f.write_all(b"a,b\n").unwrap();
        f.write_all(b"1,2\n").unwrap();
        f.finish().unwrap();
        std::fs::write(dir.path().join("other.txt"), "abc").unwrap();
        let got = written.hashes().unwrap();
        let names: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(names, ["charts/a/b.svg", "other.txt", "tables/t.csv"], "every file, sorted");
        for (path, hash) in &got {
            assert_eq!(*hash, sha256(&dir.path().join(path)).unwrap(), "{path}");
        }
        // sha256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(got[1].1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
