// Verifier: structural checks on a Graph (recursing into subgraphs).
//
// Checks: unique value names; every node input is produced earlier (by a node, an input, an
// initializer or an enclosing graph), i.e. the node order is topological and acyclic; no value is
// produced twice; non-empty node names are unique (ORT refuses duplicates); graph outputs exist;
// initializer data agrees with the declared type (dtype and shape); node/value back-references are
// consistent. Returns the first problem found, naming the node and value.
#pragma once

#include "core/status.h"
#include "ir/graph.h"
#include "ir/model.h"

namespace shrink::ir {

Status Verify(const Graph& graph);
Status Verify(const Model& model);

}  // namespace shrink::ir
