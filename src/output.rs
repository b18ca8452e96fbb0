//! Output folders are written whole or not at all: into a temporary sibling folder first,
//! then renamed into place, so a failed run never leaves a half-written folder.

use anyhow::Context;
use std::path::Path;

/// Creates `target` (replacing any existing folder) from what `fill` writes into a fresh
/// temporary folder. On error the target is left as it was.
pub fn write_dir_atomically(
    target: &Path,
    fill: impl FnOnce(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
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
