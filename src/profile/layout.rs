//! The rules a composed profile keeps without a registry: the core layers once each and in
//! order (infra and full profiles) or none (add-on profiles), and every `{ var = ... }`
//! naming a declared variable.

use std::collections::BTreeMap;

use super::stack::{Layer, Profile, ProfileType, line_of};
use crate::diagnostic::{Diagnostic, suggest};
use crate::model::pack::LayerType;
use crate::model::param::with_article;

impl Profile {
    /// Every `{ var = "..." }` names a declared variable; a declared variable that no value
    /// uses is reported by [`Profile::unused_variables`].
    pub(super) fn check_variables(&self) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        for layer in &self.layers {
            for v in layer.values.values() {
                if let Some(name) = v.var()
                    && !self.variables.contains_key(name)
                {
                    problems.push(
                        Diagnostic::at(
                            &v.source,
                            v.value.span(),
                            format!("`{{ var = \"{name}\" }}` names no variable of this profile"),
                        )
                        .with_hint_opt(
                            suggest(name, self.variables.keys().map(String::as_str)).or_else(
                                || {
                                    Some(format!(
                                        "declare it: `[[variable]]` with `name = \"{name}\"`"
                                    ))
                                },
                            ),
                        ),
                    );
                }
            }
        }
        problems
    }

    /// Warnings: declared variables that no layer value uses.
    pub fn unused_variables(&self) -> Vec<Diagnostic> {
        self.variables
            .values()
            .filter(|v| {
                !self
                    .layers
                    .iter()
                    .any(|l| l.values.values().any(|x| x.var() == Some(v.name.as_str())))
            })
            .map(|v| {
                Diagnostic::at(
                    &v.source,
                    v.span.clone(),
                    format!("variable `{}` is used by no layer value", v.name),
                )
                .with_hint(format!(
                    "use it as `{{ var = \"{}\" }}`, or remove it",
                    v.name
                ))
            })
            .collect()
    }

    /// infra and full profiles: exactly one os, kubernetes, network and storage layer, in that
    /// order, before any add-on; add-on profiles: only add-ons.
    pub(super) fn check_layout(&self) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        let at = |layer: &Layer, msg: String| {
            Diagnostic::at(&layer.source, layer.type_span.clone(), msg)
        };
        if self.ty == ProfileType::AddOn {
            for layer in self.layers.iter().filter(|l| l.ty.is_core()) {
                problems.push(
                    at(layer, format!("an add-on profile holds only add-on layers, not `{}`", layer.ty))
                        .with_hint("set `type = \"full\"` in `[profile]`, or move this layer to an infra profile"),
                );
            }
            return problems;
        }
        let line_of = |l: &Layer| {
            let line = line_of(&l.source, l.span.start);
            if l.source.name == self.source.name {
                format!("line {line}")
            } else {
                format!("{}:{line}", l.source.name)
            }
        };
        let mut seen: BTreeMap<LayerType, &Layer> = BTreeMap::new();
        let mut highest: Option<&Layer> = None;
        let mut first_addon: Option<&Layer> = None;
        for layer in &self.layers {
            if layer.ty == LayerType::Addon {
                first_addon.get_or_insert(layer);
                continue;
            }
            if let Some(first) = seen.get(&layer.ty) {
                problems.push(
                    at(
                        layer,
                        format!(
                            "{} profile has exactly one `{}` layer (another at {})",
                            with_article(self.ty.as_str()),
                            layer.ty,
                            line_of(first)
                        ),
                    )
                    .with_hint("remove one of them; add-ons go in `type = \"addon\"` layers"),
                );
                continue;
            }
            seen.insert(layer.ty, layer);
            let hint = "core layers come first, in this order: os, kubernetes, network, storage";
            if let Some(addon) = first_addon {
                problems.push(
                    at(
                        layer,
                        format!(
                            "the `{}` layer comes after the add-on `{}` ({})",
                            layer.ty,
                            addon.name,
                            line_of(addon)
                        ),
                    )
                    .with_hint(hint),
                );
            } else if let Some(prev) = highest.filter(|p| p.ty > layer.ty) {
                problems.push(
                    at(
                        layer,
                        format!(
                            "the `{}` layer must come before the `{}` layer ({})",
                            layer.ty,
                            prev.ty,
                            line_of(prev)
                        ),
                    )
                    .with_hint(hint),
                );
            }
            if highest.is_none_or(|p| layer.ty > p.ty) {
                highest = Some(layer);
            }
        }
        let missing: Vec<&str> = LayerType::CORE
            .iter()
            .filter(|t| !self.layers.iter().any(|l| l.ty == **t))
            .map(|t| t.as_str())
            .collect();
        if !missing.is_empty() {
            let list = missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ");
            problems.push(
                Diagnostic::file(
                    &self.source.name,
                    format!(
                        "{} profile needs one layer of each core type; missing {list}",
                        with_article(self.ty.as_str())
                    ),
                )
                .with_hint("add the missing `[[layer]]` entries, or set `type = \"add-on\"` for a profile of add-ons only"),
            );
        }
        problems
    }
}
