/** Reads the version manifest (versions.json): every version the generated project pins. */
import versions from './versions.json' with { type: 'json' };

export type ImageName = keyof typeof versions.images;

/** An image reference pinned by tag and digest, e.g. "postgres:17.10-alpine3.24@sha256:…". */
export function pinnedImage(name: ImageName): string {
  const image = versions.images[name];
  return `${image.name}:${image.tag}@${image.digest}`;
}
