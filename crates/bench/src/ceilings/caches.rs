//! The data caches of this machine, read from Linux's sysfs, so that each
//! memory ceiling is measured in the level it names and each result is
//! compared with the level its working set lives in.

use std::path::Path;

/// One level of data cache as core 0 sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CacheLevel {
    /// 1, 2, 3, …
    pub level: u8,
    /// Capacity of one instance of the cache, in bytes.
    pub bytes: u64,
    /// Whether one core has it to itself (shared only with its SMT
    /// siblings); a shared level is divided among the cores that use it.
    pub private: bool,
}

impl CacheLevel {
    /// "L2 (1 MiB per core)", "L3 (36 MiB shared)".
    pub fn describe(&self) -> String {
        let size = human_bytes(self.bytes);
        if self.private {
            format!("L{} ({size} per core)", self.level)
        } else {
            format!("L{} ({size} shared)", self.level)
        }
    }

    /// The bytes of this level one of `cores` busy cores can count on.
    pub fn bytes_per_core(&self, cores: usize) -> u64 {
        if self.private {
            self.bytes
        } else {
            self.bytes / cores.max(1) as u64
        }
    }
}

/// The data (and unified) cache levels of core 0, smallest first; empty
/// where the system does not say (then only the DRAM ceiling is measured).
pub fn detect() -> Vec<CacheLevel> {
    detect_under(Path::new("/sys/devices/system/cpu/cpu0"))
}

fn detect_under(cpu: &Path) -> Vec<CacheLevel> {
    let siblings =
        read(&cpu.join("topology/thread_siblings_list")).map_or(1, |list| count_cpus(&list));
    let Ok(entries) = std::fs::read_dir(cpu.join("cache")) else {
        return Vec::new();
    };
    let mut levels: Vec<CacheLevel> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("index"))
        .filter_map(|e| {
            let dir = e.path();
            let kind = read(&dir.join("type"))?;
            if kind == "Instruction" {
                return None;
            }
            let level = read(&dir.join("level"))?.parse().ok()?;
            let bytes = parse_size(&read(&dir.join("size"))?)?;
            let sharing = read(&dir.join("shared_cpu_list")).map_or(1, |l| count_cpus(&l));
            Some(CacheLevel {
                level,
                bytes,
                private: sharing <= siblings,
            })
        })
        .collect();
    levels.sort_by_key(|l| l.level);
    levels.dedup_by_key(|l| l.level);
    levels
}

fn read(path: &Path) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
}

/// "32K", "1024K", "36M", "512" → bytes.
fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let (digits, scale) = match text.chars().last()? {
        'K' | 'k' => (&text[..text.len() - 1], 1 << 10),
        'M' | 'm' => (&text[..text.len() - 1], 1 << 20),
        'G' | 'g' => (&text[..text.len() - 1], 1 << 30),
        _ => (text, 1),
    };
    digits.parse::<u64>().ok().map(|n| n * scale)
}

/// "0-3,8,10-11" → 7.
fn count_cpus(list: &str) -> usize {
    list.split(',')
        .filter(|part| !part.trim().is_empty())
        .map(|part| match part.split_once('-') {
            Some((a, b)) => match (a.trim().parse::<usize>(), b.trim().parse::<usize>()) {
                (Ok(a), Ok(b)) if b >= a => b - a + 1,
                _ => 1,
            },
            None => 1,
        })
        .sum::<usize>()
        .max(1)
}

/// 32768 → "32 KiB", 37486592 → "35.8 MiB".
pub fn human_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    if bytes >= 1 << 30 {
        format!("{:.3} GiB", b / f64::from(1u32 << 30))
    } else if bytes >= 1 << 20 {
        trim(format!("{:.1}", b / f64::from(1u32 << 20))) + " MiB"
    } else if bytes >= 1 << 10 {
        trim(format!("{:.1}", b / 1024.0)) + " KiB"
    } else {
        format!("{bytes} B")
    }
}

fn trim(s: String) -> String {
    s.strip_suffix(".0").map_or(s.clone(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_cpu_lists_parse() {
        assert_eq!(parse_size("32K"), Some(32 << 10));
        assert_eq!(parse_size("36608K"), Some(36608 << 10));
        assert_eq!(parse_size("2M"), Some(2 << 20));
        assert_eq!(parse_size("x"), None);
        assert_eq!(count_cpus("0"), 1);
        assert_eq!(count_cpus("0-1"), 2);
        assert_eq!(count_cpus("0,56"), 2);
        assert_eq!(count_cpus("0-3,8,10-11"), 7);
        assert_eq!(human_bytes(32 << 10), "32 KiB");
        assert_eq!(human_bytes(36608 << 10), "35.8 MiB");
    }

    #[test]
    fn a_fake_sysfs_gives_private_and_shared_levels() {
        let root = std::env::temp_dir().join(format!("hetero-caches-{}", std::process::id()));
        let cpu = root.join("cpu0");
        let write = |rel: &str, text: &str| {
            let path = cpu.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("topology/thread_siblings_list", "0,4\n");
        for (index, level, kind, size, shared) in [
            (0, 1, "Data", "48K", "0,4"),
            (1, 1, "Instruction", "32K", "0,4"),
            (2, 2, "Unified", "2048K", "0,4"),
            (3, 3, "Unified", "105M", "0-7"),
        ] {
            write(&format!("cache/index{index}/level"), &format!("{level}\n"));
            write(&format!("cache/index{index}/type"), kind);
            write(&format!("cache/index{index}/size"), size);
            write(&format!("cache/index{index}/shared_cpu_list"), shared);
        }
        let levels = detect_under(&cpu);
        std::fs::remove_dir_all(&root).unwrap();
        assert_eq!(
            levels,
            vec![
                CacheLevel {
                    level: 1,
                    bytes: 48 << 10,
                    private: true
                },
                CacheLevel {
                    level: 2,
                    bytes: 2 << 20,
                    private: true
                },
                CacheLevel {
                    level: 3,
                    bytes: 105 << 20,
                    private: false
                },
            ]
        );
        assert_eq!(levels[2].bytes_per_core(4), (105 << 20) / 4);
        assert_eq!(levels[1].bytes_per_core(4), 2 << 20);
        assert!(detect_under(&root.join("missing")).is_empty());
    }
}
