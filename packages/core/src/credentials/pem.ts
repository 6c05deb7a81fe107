/** One `-----BEGIN <label>-----` ... `-----END <label>-----` block of a PEM text. */
export interface PemBlock {
  label: string
  /** The whole block, headers (`Proc-Type`, `DEK-Info`) included, as node:crypto wants it. */
  text: string
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----/g

/** The PEM blocks of a text, in order. Text around the blocks (Bag Attributes, comments) is ignored. */
export function pemBlocks(text: string): PemBlock[] {
  return [...text.matchAll(BLOCK)].map((m) => ({ label: m[1] ?? '', text: m[0] }))
}

/** `PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`. */
export const isPrivateKeyBlock = (block: PemBlock): boolean => block.label.endsWith('PRIVATE KEY')

/** Encrypted PKCS#8, or a traditional OpenSSL key with `Proc-Type: 4,ENCRYPTED`. */
export const isEncryptedKeyBlock = (block: PemBlock): boolean =>
  block.label === 'ENCRYPTED PRIVATE KEY' || /^Proc-Type:\s*4,\s*ENCRYPTED/m.test(block.text)

/** True when bytes look like DER (an ASN.1 SEQUENCE), e.g. a .cer/.der file or a PKCS#12 (.pfx). */
export const looksLikeDer = (bytes: Uint8Array): boolean => bytes[0] === 0x30 && (bytes[1] ?? 0) >= 0x80
