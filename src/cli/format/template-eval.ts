/**
 * Expression evaluation of Go's text/template (text/template/exec.go): pipelines with the
 * previous command's value as the last argument, field and key lookup, variables, function and
 * method calls with Go's argument conversion rules, and the execution errors Go reports
 * (`template: :1:2: executing "" at <.Foo>: …`). template-exec.ts adds the actions.
 */
import { byteLength } from './go-strings.js';
import {
  type GoFunc,
  type GoParam,
  NIL_POINTER,
  goFloat,
  isGoMap,
  isGoMethod,
  isGoStruct,
  kindOf,
  isTrue,
  mapIndex,
  mapZero,
  typeName,
} from './go-value.js';
import { type FuncMap, InterfaceSlot } from './template-funcs.js';
import { type AnyNode, type ArgNode, type CommandNode, type PipeNode, nodeString } from './template-node.js';

/** What a missing map key yields: Go's `missingkey=default|zero|error` template option. */
export type MissingKey = 'invalid' | 'zero' | 'error';

export class TemplateExecError extends Error {}

/** No value from a previous pipeline stage (Go's missingVal). */
const MISSING: unique symbol = Symbol('missing');
type Final = unknown;

/** A Go parameter type as reflect prints it in messages. */
const GO_TYPE: Record<GoParam, string> = { value: 'reflect.Value', any: 'interface {}', string: 'string', int: 'int', bool: 'bool' };

export interface ExecContext {
  name: string;
  text: string;
  funcs: FuncMap;
  missingKey: MissingKey;
}

export class Evaluator {
  private node: AnyNode | undefined;
  protected vars: Array<{ name: string; value: unknown }>;
  /**
   * Whether dot sits in an interface{} slot (an element `range` took from a []interface {} or a
   * map[string]interface {}): Go names such a receiver's type `interface {}` in errors.
   */
  protected dotIsInterface = false;
  /** Whether the last field chain evaluated ended in an interface{} map entry. */
  private resultIsInterface = false;

  constructor(
    private readonly ctx: ExecContext,
    data: unknown,
  ) {
    this.vars = [{ name: '$', value: data }];
  }

  protected at(node: AnyNode): void {
    this.node = node;
  }

  errorf(message: string): never {
    const { name, text } = this.ctx;
    if (this.node === undefined) throw new TemplateExecError(`template: ${name}: ${message}`);
    const pos = this.node.pos;
    const before = text.slice(0, pos);
    const nl = before.lastIndexOf('\n');
    const line = before.split('\n').length;
    const col = nl < 0 ? byteLength(before) : byteLength(before.slice(nl + 1));
    throw new TemplateExecError(`template: ${name}:${line}:${col}: executing ${JSON.stringify(name)} at <${nodeString(this.node)}>: ${message}`);
  }

  private varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    this.errorf(`undefined variable: ${name}`);
  }

  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    this.at(pipe);
    let value: unknown = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      // An empty interface holding nil is no value at all once it leaves a map or slice.
      if (value === null) value = undefined;
    }
    for (const d of pipe.decl) {
      if (pipe.isAssign) this.setVar(d.name, value);
      else this.vars.push({ name: d.name, value });
    }
    return value;
  }

  private notAFunction(args: readonly ArgNode[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.errorf(`can't give argument to non-function ${nodeString(args[0]!)}`);
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0]!;
    switch (first.kind) {
      case 'field':
        this.at(first);
        return this.evalFieldChain(dot, dot, first, first.idents, cmd.args, final, this.dotIsInterface);
      case 'chain':
        return this.evalChain(dot, first, cmd.args, final);
      case 'identifier':
        return this.evalFunction(dot, first.name, first, cmd, cmd.args.slice(1), final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable':
        return this.evalVariable(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.kind) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        return this.errorf('nil is not a command');
      case 'number':
        return this.idealConstant(first);
      case 'string':
        return first.text;
    }
  }

  private idealConstant(n: Extract<ArgNode, { kind: 'number' }>): unknown {
    this.at(n);
    const { number } = n;
    const text = number.text;
    const hexInt = /^0[xX]/.test(text) && !/[pP]/.test(text);
    if (number.isFloat && !hexInt && !text.startsWith("'") && /[.eEpP]/.test(text)) return goFloat(number.value);
    if (number.isInt) return number.value;
    this.errorf(`${text} overflows int`);
  }

  private evalChain(dot: unknown, chain: Extract<ArgNode, { kind: 'chain' }>, args: readonly ArgNode[] | undefined, final: Final): unknown {
    this.at(chain);
    if (chain.node.kind === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const receiver = this.evalArg(dot, undefined, chain.node);
    return this.evalFieldChain(dot, receiver, chain, chain.fields, args, final);
  }

  private evalVariable(dot: unknown, v: Extract<ArgNode, { kind: 'variable' }>, args: readonly ArgNode[] | undefined, final: Final): unknown {
    this.at(v);
    const value = this.varValue(v.idents[0]!);
    if (v.idents.length === 1) {
      this.notAFunction(args ?? [v], final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.idents.slice(1), args, final);
  }

  private evalFieldChain(
    dot: unknown,
    receiver: unknown,
    node: AnyNode,
    idents: readonly string[],
    args: readonly ArgNode[] | undefined,
    final: Final,
    receiverIsInterface = false,
  ): unknown {
    const n = idents.length;
    let iface = receiverIsInterface;
    for (let i = 0; i < n - 1; i++) {
      const next = this.evalField(dot, idents[i]!, node, undefined, MISSING, receiver, iface);
      iface = kindOf(receiver) === 'map' && !(isGoMap(receiver) && receiver.elem === 'string');
      receiver = next;
    }
    const result = this.evalField(dot, idents[n - 1]!, node, args, final, receiver, iface);
    this.resultIsInterface = kindOf(receiver) === 'map' && !(isGoMap(receiver) && receiver.elem === 'string') && result !== undefined;
    return result;
  }

  private evalFunction(dot: unknown, name: string, node: AnyNode, cmd: AnyNode, args: readonly ArgNode[], final: Final): unknown {
    this.at(node);
    const f = this.ctx.funcs[name];
    if (f === undefined) this.errorf(`${JSON.stringify(name)} is not a defined function`);
    return this.evalCall(dot, f, cmd, name, args, final, true);
  }

  private evalField(
    dot: unknown,
    name: string,
    node: AnyNode,
    args: readonly ArgNode[] | undefined,
    final: Final,
    receiver: unknown,
    receiverIsInterface: boolean,
  ): unknown {
    if (receiver === undefined) {
      if (this.ctx.missingKey === 'error') this.errorf(`nil data; no entry for key ${JSON.stringify(name)}`);
      return undefined;
    }
    if (receiver === null || receiver === NIL_POINTER) this.errorf(`nil pointer evaluating interface {}.${name}`);
    const hasArgs = (args?.length ?? 0) > 1 || final !== MISSING;
    if (isGoStruct(receiver)) {
      if (Object.hasOwn(receiver.fields, name)) {
        const field = receiver.fields[name];
        if (isGoMethod(field)) return this.evalCall(dot, field, node, name, args?.slice(1) ?? [], final, false);
        if (hasArgs) this.errorf(`${name} has arguments but cannot be invoked as function`);
        return field === null || field === undefined ? NIL_POINTER : field;
      }
    } else if (kindOf(receiver) === 'map') {
      if (hasArgs) this.errorf(`${name} is not a method but has arguments`);
      const hit = mapIndex(receiver as object, name);
      if (hit.found) return hit.value;
      if (this.ctx.missingKey === 'error') this.errorf(`map has no entry for key ${JSON.stringify(name)}`);
      return this.ctx.missingKey === 'zero' ? mapZero(receiver as object) : undefined;
    }
    this.errorf(`can't evaluate field ${name} in type ${receiverIsInterface ? 'interface {}' : typeName(receiver)}`);
  }

  private evalCall(dot: unknown, f: GoFunc, node: AnyNode, name: string, args: readonly ArgNode[], final: Final, builtin: boolean): unknown {
    const numIn = args.length + (final !== MISSING ? 1 : 0);
    const numFixed = f.variadic !== undefined ? f.params.length : args.length;
    if (f.variadic !== undefined) {
      if (numIn < numFixed) this.errorf(`wrong number of args for ${name}: want at least ${numFixed} got ${args.length}`);
    } else if (numIn !== f.params.length) {
      this.errorf(`wrong number of args for ${name}: want ${f.params.length} got ${numIn}`);
    }
    if (builtin && (name === 'and' || name === 'or')) {
      let v: unknown;
      for (const arg of args) {
        v = this.evalArg(dot, 'value', arg);
        if (isTrue(v === null ? undefined : v) === (name === 'or')) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }
    const argv: unknown[] = [];
    let i = 0;
    for (; i < numFixed && i < args.length; i++) argv.push(this.evalArg(dot, f.params[i], args[i]!));
    if (f.variadic !== undefined) {
      for (; i < args.length; i++) {
        const arg = args[i]!;
        let v = this.evalArg(dot, f.variadic, arg);
        // `slice` is the one builtin that does not look inside an interface{} index argument.
        if (builtin && name === 'slice' && this.isInterfaceArg(arg)) v = new InterfaceSlot(v);
        argv.push(v);
      }
    }
    if (final !== MISSING) {
      const t = f.variadic !== undefined && numIn - 1 >= numFixed ? f.variadic : f.params[numIn - 1];
      argv.push(this.validateType(final, t));
    }
    try {
      return f.call(argv);
    } catch (e) {
      this.at(node);
      this.errorf(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private isInterfaceArg(arg: ArgNode): boolean {
    if (arg.kind === 'dot') return this.dotIsInterface;
    if (arg.kind === 'field' || arg.kind === 'chain' || (arg.kind === 'variable' && arg.idents.length > 1)) return this.resultIsInterface;
    return false;
  }

  private validateType(value: unknown, type: GoParam | undefined): unknown {
    if (value === undefined) {
      if (type === undefined || type === 'value') return undefined;
      if (type === 'any') return null;
      this.errorf(`invalid value; expected ${GO_TYPE[type]}`);
    }
    if (type === undefined || type === 'value') return value;
    if (type === 'any') return value === NIL_POINTER ? null : value;
    const actual = typeName(value);
    if (actual !== GO_TYPE[type]) this.errorf(`wrong type for value; expected ${GO_TYPE[type]}; got ${actual === '<nil>' ? 'interface {}' : actual}`);
    return value;
  }

  private evalArg(dot: unknown, type: GoParam | undefined, n: ArgNode): unknown {
    this.at(n);
    switch (n.kind) {
      case 'dot':
        return this.validateType(dot, type);
      case 'nil':
        if (type === 'value') return undefined;
        if (type === 'any') return null;
        return this.errorf(`cannot assign nil to ${type === undefined ? '<nil>' : GO_TYPE[type]}`);
      case 'field':
        return this.validateType(this.evalFieldChain(dot, dot, n, n.idents, [n], MISSING, this.dotIsInterface), type);
      case 'variable':
        return this.validateType(this.evalVariable(dot, n, undefined, MISSING), type);
      case 'pipe':
        return this.validateType(this.evalPipeline(dot, n), type);
      case 'identifier':
        return this.validateType(this.evalFunction(dot, n.name, n, n, [], MISSING), type);
      case 'chain':
        return this.validateType(this.evalChain(dot, n, undefined, MISSING), type);
    }
    switch (type) {
      case 'bool':
        if (n.kind === 'bool') return n.value;
        return this.errorf(`expected bool; found ${nodeString(n)}`);
      case 'int':
        if (n.kind === 'number' && n.number.isInt) return n.number.value;
        return this.errorf(`expected integer; found ${nodeString(n)}`);
      case 'string':
        if (n.kind === 'string') return n.text;
        return this.errorf(`expected string; found ${nodeString(n)}`);
      default:
        switch (n.kind) {
          case 'bool':
            return n.value;
          case 'number':
            return this.idealConstant(n);
          case 'string':
            return n.text;
        }
    }
  }
}
