/**
 * Files and directories named on the command line: one clear line for each
 * problem (missing, permission, not a directory), and output directories
 * checked before any long work starts, so a rehearsal never runs to its end
 * only to fail on writing its report.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** Why a file operation failed, in words, from its errno code. */
export function errnoWords(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EEXIST':
      return 'already exists';
    case 'ENAMETOOLONG':
      return 'the name is too long';
    case 'ELOOP':
      return 'too many symbolic links';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    case 'EBUSY':
      return 'the file is busy';
    case 'EIO':
      return 'input/output error';
    default:
      return code ?? (err instanceof Error ? err.message : String(err));
  }
}

/** Whether `err` is an error of the file system (it has an errno code). */
export function isFileSystemError(err: unknown): err is NodeJS.ErrnoException {
  return (
    err instanceof Error &&
    typeof (err as NodeJS.ErrnoException).code === 'string' &&
    typeof (err as NodeJS.ErrnoException).syscall === 'string'
  );
}

/** `path: cannot read the file (permission denied)`. */
export function fileProblem(path: string, err: unknown, verb: string): string {
  const what = verb === 'cannot read' ? 'cannot read the file' : verb;
  return `${path}: ${what} (${errnoWords(err)})`;
}

/**
 * Checks that `dir` can be the output directory of `option` (`--out`,
 * `--report`): an existing, writable directory, or a path whose nearest
 * existing parent is a writable directory (it is created then). Nothing is
 * created or written.
 *
 * @returns the problem as one line, or undefined when `dir` is usable
 */
export async function outputDirectoryProblem(
  option: string,
  dir: string,
): Promise<string | undefined> {
  const target = resolve(dir);
  const where = `${option} ${dir}`;
  let probe = target;
  for (;;) {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(probe);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const parent = dirname(probe);
      if ((code === 'ENOENT' || code === 'ENOTDIR') && parent !== probe) {
        probe = parent;
        continue;
      }
      return `${where}: cannot use it (${errnoWords(err)})`;
    }
    if (!info.isDirectory()) {
      return probe === target
        ? `${where}: is ${kindOf(info)}, not a directory (give a directory to write the files into)`
        : `${where}: ${probe} is ${kindOf(info)}, not a directory`;
    }
    try {
      await access(probe, constants.W_OK | constants.X_OK);
    } catch (err) {
      return probe === target
        ? `${where}: cannot write into the directory (${errnoWords(err)})`
        : `${where}: cannot create it in ${probe} (${errnoWords(err)})`;
    }
    return undefined;
  }
}

function kindOf(info: {
  isFile(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
}): string {
  if (info.isFile()) return 'a file';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isFIFO()) return 'a pipe';
  if (info.isSocket()) return 'a socket';
  return 'a special file';
}
