/**
 * Docker's per-command formats and header names (docker/cli cli/command/formatter/image.go,
 * container.go and cli/command/image/formatter_history.go), ready to pass to createFormatter.
 * The `rowType` is the Go type Docker names in `can't evaluate field` errors.
 */
import type { FormatterOptions } from './docker-format.js';

type CommandFormats = Omit<FormatterOptions, 'format'>;

/** `{{.ID}}`: what `-q` prints. */
export const QUIET_FORMAT = '{{.ID}}';

const CREATED_SINCE = 'CREATED';
const CREATED_AT = 'CREATED AT';
const SIZE = 'SIZE';

/** `docker images`. With `--digests`, use IMAGE_DIGEST_TABLE as the default table. */
export const IMAGE_FORMATS: CommandFormats = {
  defaultTable: 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}',
  headers: {
    ID: 'IMAGE ID',
    Repository: 'REPOSITORY',
    Tag: 'TAG',
    Digest: 'DIGEST',
    CreatedSince: CREATED_SINCE,
    CreatedAt: CREATED_AT,
    Size: SIZE,
    Containers: 'CONTAINERS',
    SharedSize: 'SHARED SIZE',
    UniqueSize: 'UNIQUE SIZE',
  },
  named: {
    raw: 'repository: {{ .Repository }}\ntag: {{.Tag}}\nimage_id: {{.ID}}\ncreated_at: {{.CreatedAt}}\nvirtual_size: {{.Size}}\n',
  },
  rowType: '*formatter.imageContext',
};

export const IMAGE_DIGEST_TABLE =
  'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}';

/** `docker history`; with `--human=false` the default table is HISTORY_NON_HUMAN_TABLE. */
export const HISTORY_FORMATS: CommandFormats = {
  defaultTable: 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}',
  headers: {
    ID: 'IMAGE',
    CreatedSince: CREATED_SINCE,
    CreatedAt: CREATED_AT,
    CreatedBy: 'CREATED BY',
    Size: SIZE,
    Comment: 'COMMENT',
  },
  rowType: '*image.historyContext',
};

export const HISTORY_NON_HUMAN_TABLE = 'table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';

/** `docker ps`; with `--size`, append `\t{{.Size}}` to the default table. */
export const CONTAINER_FORMATS: CommandFormats = {
  defaultTable: 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}',
  headers: {
    ID: 'CONTAINER ID',
    Names: 'NAMES',
    Image: 'IMAGE',
    Command: 'COMMAND',
    CreatedAt: CREATED_AT,
    RunningFor: CREATED_SINCE,
    Ports: 'PORTS',
    State: 'STATE',
    Status: 'STATUS',
    Size: SIZE,
    Labels: 'LABELS',
    Mounts: 'MOUNTS',
    LocalVolumes: 'LOCAL VOLUMES',
    Networks: 'NETWORKS',
    Platform: 'PLATFORM',
    HealthStatus: 'HEALTH STATUS',
  },
  named: {
    raw:
      'container_id: {{.ID}}\nimage: {{.Image}}\ncommand: {{.Command}}\ncreated_at: {{.CreatedAt}}\n' +
      'state: {{- pad .State 1 0}}\nstatus: {{- pad .Status 1 0}}\nnames: {{.Names}}\n' +
      'labels: {{- pad .Labels 1 0}}\nports: {{- pad .Ports 1 0}}\n',
  },
  rowType: '*formatter.ContainerContext',
};
