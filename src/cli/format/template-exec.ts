/**
 * The actions of Go's text/template (text/template/exec.go): text, printing a pipeline's value,
 * `if`/`with`/`range` with Go's truth rules, `break` and `continue`, on top of the expression
 * evaluation in template-eval.ts.
 */
import { formatValue } from './go-fmt.js';
import { NIL_POINTER, isGoMap, isGoStruct, isTrue, kindOf, sortedEntries } from './go-value.js';
import { Evaluator } from './template-eval.js';
import { type AnyNode, type BranchNode, type Node, nodeString } from './template-node.js';

export { type ExecContext, type MissingKey, TemplateExecError } from './template-eval.js';

const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');

export class Executor extends Evaluator {
  out = '';

  walk(dot: unknown, node: Node): void {
    this.at(node);
    switch (node.kind) {
      case 'action': {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
      case 'if':
      case 'with':
        this.walkIfOrWith(dot, node);
        return;
      case 'list':
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case 'range':
        this.walkRange(dot, node);
        return;
      case 'text':
        this.out += node.text;
        return;
    }
  }

  private walkIfOrWith(dot: unknown, node: BranchNode): void {
    const mark = this.vars.length;
    try {
      const val = this.evalPipeline(dot, node.pipe);
      if (!isTrue(val === null ? undefined : val)) {
        if (node.elseList !== undefined) this.walk(dot, node.elseList);
      } else if (node.kind === 'if') {
        this.walk(dot, node.list);
      } else {
        const iface = this.dotIsInterface;
        this.dotIsInterface = false;
        this.walk(val, node.list);
        this.dotIsInterface = iface;
      }
    } finally {
      this.vars.length = mark;
    }
  }

  private walkRange(dot: unknown, r: BranchNode): void {
    this.at(r);
    const outer = this.vars.length;
    try {
      const val = this.evalPipeline(dot, r.pipe);
      const mark = this.vars.length;
      const decls = r.pipe.decl.length;
      const iface = this.dotIsInterface;
      const elemIsInterface = kindOf(val) === 'slice' || (kindOf(val) === 'map' && !(isGoMap(val) && val.elem === 'string'));
      const oneIteration = (index: unknown, elem: unknown): void => {
        if (decls > 0) this.vars[this.vars.length - 1]!.value = elem;
        if (decls > 1) this.vars[this.vars.length - 2]!.value = index;
        this.dotIsInterface = elemIsInterface;
        try {
          this.walk(elem, r.list);
        } catch (e) {
          if (e !== CONTINUE) throw e;
        } finally {
          this.vars.length = mark;
          this.dotIsInterface = iface;
        }
      };
      let ran = false;
      try {
        switch (kindOf(val)) {
          case 'slice':
            (val as unknown[]).forEach((e, i) => {
              ran = true;
              oneIteration(i, e === undefined ? null : e);
            });
            break;
          case 'map':
            for (const [k, v] of sortedEntries(val as object)) {
              ran = true;
              oneIteration(k, v);
            }
            break;
          case 'int':
          case 'uint': {
            // Go 1.24 ranges over an integer n as 0 … n-1.
            if (decls > 1) this.errorf(`can't use ${formatValue(val)} to iterate over more than one variable`);
            const n = val as number;
            for (let i = 0; i < n; i++) {
              ran = true;
              oneIteration(i, i);
            }
            break;
          }
          case 'invalid':
          case 'nil':
            break;
          default:
            this.errorf(`range can't iterate over ${formatValue(val)}`);
        }
      } catch (e) {
        if (e !== BREAK) throw e;
        ran = true;
      }
      if (!ran && r.elseList !== undefined) this.walk(dot, r.elseList);
    } finally {
      this.vars.length = outer;
    }
  }

  private printValue(node: AnyNode, v: unknown): void {
    this.at(node);
    if (v === undefined) {
      this.out += '<no value>';
      return;
    }
    // fmt receives what a pointer points to: `{{.}}` of a *struct prints `{…}`, not `&{…}`.
    if (isGoStruct(v) && v.options.pointer === true) {
      this.out += formatValue({ ...v, options: { ...v.options, pointer: false } });
      return;
    }
    if (kindOf(v) === 'func') this.errorf(`can't print ${nodeString(node)} of type func`);
    this.out += formatValue(v === NIL_POINTER ? null : v);
  }
}
