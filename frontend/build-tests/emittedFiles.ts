import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FRONTEND_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface EmittedFile {
  /** Relative to the output directory, with forward slashes. */
  path: string;
  text: string;
}

export async function readEmittedFiles(dir: string): Promise<EmittedFile[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(
    entries
      .filter((entry) => entry.isFile())
      .map(async (entry) => {
        const absolute = join(entry.parentPath, entry.name);
        return {
          path: relative(dir, absolute).split('\\').join('/'),
          text: await readFile(absolute, 'latin1'),
        };
      }),
  );
}

export function filesContaining(files: EmittedFile[], text: string): string[] {
  return files.filter((file) => file.text.includes(text)).map((file) => file.path);
}
