import { createCipheriv, createHash } from 'node:crypto';

/** `length` bytes that look random (incompressible), the same for the same label in every run. */
export function seededBytes(label: string, length: number): Buffer<ArrayBuffer> {
  const key = createHash('sha256').update(label).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(length));
}
