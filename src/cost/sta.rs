//! OpenSTA on a mapped netlist: the critical path of a unit.
//!
//! The clock (`aclk`, or `clk` in stand-alone adder graphs) gets a 10 ns period, inputs arrive and outputs are required at the clock
//! edge (0 ns input and output delay), so paths through the unit's ports count like
//! register-to-register paths. The critical path is `period - worst slack` (data arrival
//! plus the capturing flip-flop's setup time), independent of the chosen period.

use anyhow::{Context, Result};
use std::path::Path;
use std::process::Command;

/// Clock period the checks run against, ns.
pub const PERIOD_NS: f64 = 10.0;

/// `(critical path in ns, "startpoint -> endpoint")`, or `None` when the unit has no timed
/// path (no clock, or nothing between registers and ports).
pub fn critical_path(
    sta: &Path,
    liberty: &Path,
    netlist: &Path,
    top: &str,
    clock: &str,
) -> Result<Option<(f64, String)>> {
    let dir = netlist.parent().unwrap_or(Path::new("."));
    // relative to the folder OpenSTA runs in, so that a kept folder can be rerun as is
    let net = netlist.file_name().map_or(netlist, Path::new);
    let script = format!(
        "read_liberty {lib}\nread_verilog {net}\nlink_design {top}\n\
         create_clock -name clk -period {PERIOD_NS} [get_ports {clock}]\n\
         set_input_delay 0 -clock clk [delete_from_list [all_inputs] [get_ports {clock}]]\n\
         set_output_delay 0 -clock clk [all_outputs]\n\
         report_checks -path_delay max -digits 3\nexit\n",
        lib = liberty.display(),
        net = net.display()
    );
    std::fs::write(dir.join("sta.tcl"), script)?;
    let out = Command::new(sta)
        .current_dir(dir)
        .args(["-no_init", "-exit", "sta.tcl"])
        .output()
        .with_context(|| format!("cannot run {}", sta.display()))?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    std::fs::write(dir.join("sta.log"), &text)?;
    Ok(parse_report(&text))
}

/// Worst slack, startpoint and endpoint from `report_checks`.
pub fn parse_report(text: &str) -> Option<(f64, String)> {
    let mut start = None;
    let mut end = None;
    let mut slack = None;
    for line in text.lines() {
        let t = line.trim();
        if let Some(s) = t.strip_prefix("Startpoint:") {
            start.get_or_insert_with(|| s.trim().to_string());
        } else if let Some(e) = t.strip_prefix("Endpoint:") {
            end.get_or_insert_with(|| e.trim().to_string());
        } else if (t.ends_with("slack (MET)") || t.ends_with("slack (VIOLATED)")) && slack.is_none()
        {
            slack = t
                .split_whitespace()
                .next()
                .and_then(|v| v.parse::<f64>().ok());
        }
    }
    let slack = slack?;
    Some((
        ((PERIOD_NS - slack) * 1000.0).round() / 1000.0,
        format!(
            "{} -> {}",
            start.unwrap_or_default(),
            end.unwrap_or_default()
        ),
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn report_parses() {
        let t = "Startpoint: _1_ (rising edge-triggered flip-flop clocked by clk)\n\
                 Endpoint: _2_ (rising edge-triggered flip-flop clocked by clk)\n\
                 \x20          5.370   slack (MET)\n";
        let (cp, path) = super::parse_report(t).unwrap();
        assert!((cp - 4.63).abs() < 1e-9);
        assert!(path.starts_with("_1_"));
        assert!(super::parse_report("no paths").is_none());
    }
}
