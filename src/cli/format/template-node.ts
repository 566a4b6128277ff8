/**
 * The parse tree of a template (text/template/parse/node.go, the subset lade executes) and
 * its printing: Go names the failing node in execution errors (`executing "" at <.Foo>`) by
 * printing it back as template text.
 */

export interface NumberValue {
  text: string;
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  /** The value as an integer when isInt or isUint, as a float when only isFloat. */
  value: number;
}

export type ArgNode =
  | { kind: 'field'; pos: number; idents: string[] }
  | { kind: 'variable'; pos: number; idents: string[] }
  | { kind: 'dot'; pos: number }
  | { kind: 'nil'; pos: number }
  | { kind: 'bool'; pos: number; value: boolean }
  | { kind: 'number'; pos: number; number: NumberValue }
  | { kind: 'string'; pos: number; quoted: string; text: string }
  | { kind: 'identifier'; pos: number; name: string }
  | { kind: 'chain'; pos: number; node: ArgNode; fields: string[] }
  | PipeNode;

export interface CommandNode {
  kind: 'command';
  pos: number;
  args: ArgNode[];
}

export interface VariableDecl {
  pos: number;
  name: string;
}

export interface PipeNode {
  kind: 'pipe';
  pos: number;
  line: number;
  isAssign: boolean;
  decl: VariableDecl[];
  cmds: CommandNode[];
}

export interface ListNode {
  kind: 'list';
  pos: number;
  nodes: Node[];
}

export type Node =
  | ListNode
  | { kind: 'text'; pos: number; text: string }
  | { kind: 'action'; pos: number; line: number; pipe: PipeNode }
  | BranchNode
  | { kind: 'break'; pos: number; line: number }
  | { kind: 'continue'; pos: number; line: number };

export interface BranchNode {
  kind: 'if' | 'range' | 'with';
  pos: number;
  line: number;
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | undefined;
}

export type AnyNode = Node | ArgNode | CommandNode;

/** node.String() in Go. */
export function nodeString(n: AnyNode): string {
  switch (n.kind) {
    case 'list':
      return n.nodes.map(nodeString).join('');
    case 'text':
      return n.text;
    case 'action':
      return `{{${nodeString(n.pipe)}}}`;
    case 'if':
    case 'range':
    case 'with':
      return `{{${n.kind} ${nodeString(n.pipe)}}}${nodeString(n.list)}${n.elseList === undefined ? '' : `{{else}}${nodeString(n.elseList)}`}{{end}}`;
    case 'break':
      return '{{break}}';
    case 'continue':
      return '{{continue}}';
    case 'pipe': {
      const decl = n.decl.length > 0 ? `${n.decl.map((d) => d.name).join(', ')} := ` : '';
      return decl + n.cmds.map(nodeString).join(' | ');
    }
    case 'command':
      return n.args.map((a) => (a.kind === 'pipe' ? `(${nodeString(a)})` : nodeString(a))).join(' ');
    case 'field':
      return n.idents.map((i) => '.' + i).join('');
    case 'variable':
      return n.idents.join('.');
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return n.value ? 'true' : 'false';
    case 'number':
      return n.number.text;
    case 'string':
      return n.quoted;
    case 'identifier':
      return n.name;
    case 'chain': {
      const base = n.node.kind === 'pipe' ? `(${nodeString(n.node)})` : nodeString(n.node);
      return base + n.fields.map((f) => '.' + f).join('');
    }
  }
}
