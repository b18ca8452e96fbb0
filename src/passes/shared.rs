//! Trainable stages that share one module. Stages with the same hardware (the two cores'
//! copies of a block, a core's repeat passes) differ only in their parameters, which live in
//! each instance's own memories and in the register block, so one Verilog module serves them
//! all: less text to read, lint, verilate and synthesize, and one simulator class compiled
//! once for all its instances.

use super::plan::HwPlan;
use super::regmap::bus_name;
use super::schedule::{EngineSchedule, TrainStageHw};

/// One trainable-stage module and the stages (instances) it builds, in plan order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainModule<'a> {
    pub name: String,
    pub users: Vec<&'a TrainStageHw>,
}

impl TrainStageHw {
    /// A layer's name inside its stage, its module's port prefix: `br1.dw`, `pw`; the stem's
    /// one layer is `stem`.
    pub fn local_layer(&self, e: &EngineSchedule) -> String {
        match e.layer.strip_prefix(&format!("{}.", self.name)) {
            Some(local) => local.to_string(),
            None => self
                .name
                .rsplit('.')
                .next()
                .unwrap_or(&self.name)
                .to_string(),
        }
    }

    /// Equal hardware: the same stage but for its names (stage and layers) and which
    /// boundary it feeds, none of which the module's text depends on.
    pub fn same_hardware(&self, other: &TrainStageHw) -> bool {
        let shape = |s: &TrainStageHw| -> Vec<Vec<String>> {
            s.branches
                .iter()
                .map(|b| b.iter().map(|e| s.local_layer(e)).collect())
                .collect()
        };
        if shape(self) != shape(other) {
            return false;
        }
        let mut o = other.clone();
        o.name.clone_from(&self.name);
        o.boundary = self.boundary;
        for (bo, bs) in o.branches.iter_mut().zip(&self.branches) {
            for (eo, es) in bo.iter_mut().zip(bs) {
                eo.layer.clone_from(&es.layer);
            }
        }
        o == *self
    }
}

/// The name the users' common parts give: name tokens all users agree on are kept, a core
/// token that differs becomes `train`, another token that differs (a repeat pass `r<k>`) is
/// dropped: `train0.s1.b0` and `train1.s1.b0` give `train_s1_b0`; `train0.rep.r0` and
/// `train0.rep.r1` give `train0_rep`.
fn common_name(users: &[&TrainStageHw]) -> String {
    let split: Vec<Vec<&str>> = users.iter().map(|s| s.name.split('.').collect()).collect();
    let first = &split[0];
    if split.iter().any(|t| t.len() != first.len()) {
        return bus_name(&users[0].name);
    }
    let mut kept = Vec::new();
    for (i, tok) in first.iter().enumerate() {
        if split.iter().all(|t| t[i] == *tok) {
            kept.push(tok.to_string());
        } else if split.iter().all(|t| t[i].starts_with("train")) {
            kept.push("train".to_string());
        }
    }
    kept.join("_")
}

impl HwPlan {
    /// Every trainable stage in plan order: per core its streaming stages, then its repeat
    /// passes.
    pub fn train_stages(&self) -> impl Iterator<Item = &TrainStageHw> {
        self.trainable
            .iter()
            .flat_map(|c| c.stages.iter().chain(&c.repeat))
    }

    /// The trainable-stage modules in order of their first user, each named
    /// `<prefix>_<common name of its users>` (a stage's own name when it has no twin; the
    /// first user's when two modules' common names would collide).
    pub fn train_modules(&self) -> Vec<TrainModule<'_>> {
        let mut groups: Vec<Vec<&TrainStageHw>> = Vec::new();
        for st in self.train_stages() {
            match groups.iter_mut().find(|g| g[0].same_hardware(st)) {
                Some(g) => g.push(st),
                None => groups.push(vec![st]),
            }
        }
        let names: Vec<String> = groups.iter().map(|g| common_name(g)).collect();
        groups
            .into_iter()
            .zip(&names)
            .map(|(users, name)| {
                let unique = names.iter().filter(|n| *n == name).count() == 1;
                let name = if unique {
                    name.clone()
                } else {
                    bus_name(&users[0].name)
                };
                TrainModule {
                    name: format!("{}_{}", self.prefix, name),
                    users,
                }
            })
            .collect()
    }

    /// The module that builds trainable stage `st` (a stage of this plan).
    pub fn train_module(&self, st: &TrainStageHw) -> String {
        self.train_modules()
            .into_iter()
            .find(|m| m.users.iter().any(|u| u.name == st.name))
            .map(|m| m.name)
            .expect("every trainable stage of the plan is built by one of its modules")
    }
}

#[cfg(test)]
mod tests {
    use crate::passes::{plan, PlanOptions};

    /// tiny: both cores' copies of each block share a module, and the four repeat passes
    /// another; a stage whose hardware differs (a core's engine pipelined otherwise) keeps
    /// a module of its own, named after itself.
    #[test]
    fn stages_of_the_same_hardware_share_a_module() {
        let model = crate::modelgen::default_model();
        let mut hw = plan(&model, &PlanOptions::default()).unwrap();
        let names = |hw: &crate::passes::HwPlan| -> Vec<(String, Vec<String>)> {
            hw.train_modules()
                .into_iter()
                .map(|m| (m.name, m.users.iter().map(|u| u.name.clone()).collect()))
                .collect()
        };
        let shared = names(&hw);
        assert_eq!(shared.len(), 6, "{shared:?}");
        assert_eq!(shared[0].0, "tiny_train_stem");
        assert_eq!(shared[0].1, ["train0.stem", "train1.stem"]);
        let rep = shared.iter().find(|m| m.0 == "tiny_train_rep").unwrap();
        assert_eq!(rep.1.len(), 4);
        let st = hw.trainable[1].stages[1].clone();
        assert_eq!(hw.train_module(&st), "tiny_train_s1_b0");
        assert_eq!(st.local_layer(&st.branches[1][0]), "br2.dw");
        assert_eq!(
            hw.trainable[0].stages[0].local_layer(&hw.trainable[0].stages[0].branches[0][0]),
            "stem"
        );

        // core 1's s1.b0 with another pipeline: its own module; core 0's keeps its name.
        hw.trainable[1].stages[1].branches[0][0].pipe.mul_reg ^= true;
        let split = names(&hw);
        assert_eq!(split.len(), 7);
        let own: Vec<&str> = split.iter().map(|m| m.0.as_str()).collect();
        assert!(own.contains(&"tiny_train0_s1_b0") && own.contains(&"tiny_train1_s1_b0"));
        // the repeat passes of one core differ from the other's: one module per core
        for p in &mut hw.trainable[1].repeat {
            p.branches[0][0].pipe.lpr += 1;
        }
        let reps: Vec<String> = names(&hw)
            .into_iter()
            .map(|m| m.0)
            .filter(|n| n.contains("rep"))
            .collect();
        assert_eq!(reps, ["tiny_train0_rep", "tiny_train1_rep"]);
    }
}
