/**
 * File system failures in the user's words: which path, what is wrong, what to
 * do. They are the user's environment, not a bug, so the CLI reports them with
 * exit code 1 and never asks for a bug report.
 */

/** A failure of the file system, explained; the CLI exits 1 with `message`. */
export class FileSystemError extends Error {
  /** The errno code (`EACCES`, `ENOSPC`, ...), when one caused it. */
  readonly code?: string;
  constructor(message: string, code?: string) {
    super(message);
    this.name = 'FileSystemError';
    this.code = code;
  }
}

interface Explanation {
  problem: string;
  remedy: string;
}

/** What each errno means to someone generating a project, and what they can do about it (codes from errno(3)). */
const EXPLANATIONS: Record<string, Explanation> = {
  EACCES: { problem: 'permission denied', remedy: 'Choose a directory you can write to, or ask its owner for write access.' },
  EPERM: { problem: 'the operation is not permitted', remedy: 'Choose a directory you own, or check its attributes (chattr, ACLs).' },
  EROFS: { problem: 'the file system is read-only', remedy: 'Choose a directory on a writable file system.' },
  ENOSPC: { problem: 'no space left on the device', remedy: 'Free some space (df -h shows how much is left) and run the command again.' },
  EDQUOT: { problem: 'your disk quota is exhausted', remedy: 'Free some space within your quota and run the command again.' },
  ENAMETOOLONG: { problem: 'the path is too long for the file system', remedy: 'Choose a shorter directory path.' },
  EBUSY: { problem: 'it is busy (a mount point, or held by another process)', remedy: 'Unmount it or stop what holds it, or choose another directory.' },
  EISDIR: { problem: 'a directory is in the way where a file goes', remedy: 'Move or remove that directory, then run the command again.' },
  ENOTDIR: { problem: 'a file is in the way where a directory goes', remedy: 'Move or remove that file, then run the command again.' },
  ENOTEMPTY: { problem: 'a non-empty directory is in the way', remedy: 'Move or remove that directory, then run the command again.' },
  EEXIST: { problem: 'something already exists there', remedy: 'Move or remove it, then run the command again.' },
  ELOOP: { problem: 'it goes through too many symbolic links (a loop?)', remedy: 'Fix the symbolic links on that path.' },
  EMFILE: { problem: 'too many files are open', remedy: 'Raise the open-file limit (ulimit -n) and run the command again.' },
  ENFILE: { problem: 'the system has too many files open', remedy: 'Close some programs and run the command again.' },
  EIO: { problem: 'an input/output error on the device', remedy: 'Check the disk (dmesg) and choose another directory.' },
  ENOENT: { problem: 'it does not exist', remedy: 'Check the path, then run the command again.' },
};

/** True for an errno error this module can explain. */
export function isExplainable(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return error instanceof Error && typeof code === 'string' && code in EXPLANATIONS;
}

/**
 * One sentence for an errno error: "Cannot <action> <path>: <problem> (<CODE>). <remedy>"
 * `path` is the path as the user should see it (defaults to the error's own path).
 */
export function explain(error: NodeJS.ErrnoException, action: string, path = error.path ?? ''): string {
  const code = error.code ?? 'UNKNOWN';
  const explanation = EXPLANATIONS[code] ?? { problem: error.message, remedy: 'Check the path and run the command again.' };
  const remedy = action === 'read' && code === 'EACCES' ? 'Ask its owner for read access, or run the command as a user who can read it.' : explanation.remedy;
  return `Cannot ${action} ${path}: ${explanation.problem} (${code}). ${remedy}`;
}

/** `error` as a FileSystemError when it is an errno error this module can explain, otherwise unchanged. */
export function asFileSystemError(error: unknown, action: string, path?: string): unknown {
  if (error instanceof FileSystemError || !isExplainable(error)) return error;
  return new FileSystemError(explain(error, action, path), error.code);
}
