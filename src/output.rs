//! Output folders are written whole or not at all: into a temporary sibling folder first,
//! then renamed into place, so a failed run never leaves a half-written folder.

use anyhow::Context;
use std::path::Path;

/// Creates `target` from what `fill` writes into a fresh temporary folder. An existing folder
/// is replaced only if it is empty or holds `marker` (a file this tool writes there), so a
/// mistyped path never wipes an unrelated folder. On error the target is left as it was.
pub fn write_dir_atomically(
    target: &Path,
    marker: &str,
    fill: impl FnOnce(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    if target.is_dir()
        && !target.join(marker).exists()
        && std::fs::read_dir(target)?.next().is_some()
    {
        anyhow::bail!(
            "{} exists and is not a folder this command wrote (no {marker} in it); refusing to replace it",
            target.display()
        );
    }
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("cannot create folder {}", parent.display()))?;
    let tmp = tempfile::Builder::new()
        .prefix(".semifreddo-tmp-")
        .tempdir_in(&parent)
        .with_context(|| format!("cannot create a temporary folder in {}", parent.display()))?;
    fill(tmp.path())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Temporary folders are private (0700); the output is an ordinary folder.
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755))?;
    }
    if target.exists() {
        if !target.is_dir() {
            anyhow::bail!(
                "output path {} exists and is not a folder",
                target.display()
            );
        }
        let old = tempfile::Builder::new()
            .prefix(".semifreddo-old-")
            .tempdir_in(&parent)?;
        let aside = old.path().join("previous");
        std::fs::rename(target, &aside)
            .with_context(|| format!("cannot replace {}", target.display()))?;
        if let Err(e) = std::fs::rename(tmp.path(), target) {
            // Put the previous folder back so the user loses nothing.
            let _ = std::fs::rename(&aside, target);
            return Err(e)
                .with_context(|| format!("cannot move the new output into {}", target.display()));
        }
    } else {
        std::fs::rename(tmp.path(), target)
            .with_context(|| format!("cannot create {}", target.display()))?;
    }
    // The temporary folder was renamed away; keep tempfile from deleting the result.
    let _ = tmp.keep();
    Ok(())
}

/// Creates `target` from what `fill` writes, unless it already exists. Safe when several
/// processes race to publish the same content (content-addressed caches): the first rename
/// wins and the others' copies are discarded.
pub fn publish_dir_once(
    target: &Path,
    fill: impl FnOnce(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    if target.exists() {
        return Ok(());
    }
    let parent = target.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create folder {}", parent.display()))?;
    let tmp = tempfile::Builder::new()
        .prefix(".semifreddo-tmp-")
        .tempdir_in(parent)?;
    fill(tmp.path())?;
    match std::fs::rename(tmp.path(), target) {
        Ok(()) => {
            let _ = tmp.keep();
            Ok(())
        }
        Err(_) if target.exists() => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot create {}", target.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_fill_leaves_the_previous_folder_and_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out");
        write_dir_atomically(&target, "a", |t| Ok(std::fs::write(t.join("a"), "1")?)).unwrap();
        let err = write_dir_atomically(&target, "a", |t| {
            std::fs::write(t.join("a"), "2")?;
            anyhow::bail!("disk full")
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read_to_string(target.join("a")).unwrap(), "1");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "only the target remains"
        );
        write_dir_atomically(&target, "a", |t| Ok(std::fs::write(t.join("b"), "3")?)).unwrap();
        assert!(!target.join("a").exists(), "replaced whole");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn an_unrelated_folder_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("precious.txt"), "keep").unwrap();
        let err = write_dir_atomically(dir.path(), "manifest.json", |t| {
            Ok(std::fs::write(t.join("x"), "1")?)
        });
        assert!(err
            .unwrap_err()
            .to_string()
            .contains("refusing to replace it"));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("precious.txt")).unwrap(),
            "keep"
        );
        // An empty folder is fine.
        let empty = dir.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        write_dir_atomically(&empty, "manifest.json", |t| {
            Ok(std::fs::write(t.join("manifest.json"), "{}")?)
        })
        .unwrap();
        assert!(empty.join("manifest.json").exists());
    }

    #[test]
    fn publish_once_keeps_the_first_copy() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("cache");
        publish_dir_once(&target, |t| Ok(std::fs::write(t.join("a"), "1")?)).unwrap();
        publish_dir_once(&target, |t| Ok(std::fs::write(t.join("a"), "2")?)).unwrap();
        assert_eq!(std::fs::read_to_string(target.join("a")).unwrap(), "1");
    }
}
