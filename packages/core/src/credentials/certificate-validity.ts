import type { CredentialContext } from '../credential.js'
import { credentialExpiringChannel, credentialValidityChannel } from '../diagnostics-publish.js'
import type { CredentialValidityEvent } from '../diagnostics.js'
import type { CertificateMaterial } from './certificate-material.js'

const DAY_MS = 86_400_000
const warned = new WeakSet<CertificateMaterial>()

/**
 * Tells (once per certificate) the validity channels and the logger when a certificate has expired,
 * is not valid yet, or expires within `warningDays`.
 */
export function warnAboutValidity(
  material: CertificateMaterial,
  ctx: CredentialContext,
  warningDays: number,
): void {
  if (warned.has(material)) return
  warned.add(material)
  const now = ctx.clock.now()
  const fields = {
    event: 'certificate_validity',
    x5tS256: material.x5tS256,
    notBefore: material.notBefore.toISOString(),
    notAfter: material.notAfter.toISOString(),
  }
  const daysLeft = (material.notAfter.getTime() - now) / DAY_MS
  const expiring = daysLeft > 0 && daysLeft <= warningDays
  if (credentialValidityChannel.hasSubscribers || (expiring && credentialExpiringChannel.hasSubscribers)) {
    const event: CredentialValidityEvent = {
      credentialKind: 'client_certificate',
      thumbprint: material.x5tS256,
      notBefore: material.notBefore.getTime(),
      notAfter: material.notAfter.getTime(),
      daysLeft,
    }
    credentialValidityChannel.publish(event)
    if (expiring) credentialExpiringChannel.publish(event)
  }
  if (material.notAfter.getTime() <= now) {
    ctx.logger?.warn?.(
      fields,
      `apptoken: the client certificate expired on ${fields.notAfter}; Entra ID rejects it (AADSTS1000502). Upload and deploy a new one.`,
    )
  } else if (material.notBefore.getTime() > now) {
    ctx.logger?.warn?.(
      fields,
      `apptoken: the client certificate is not valid before ${fields.notBefore}; check the machine clock.`,
    )
  } else if (expiring) {
    ctx.logger?.warn?.(
      { ...fields, event: 'credential_expiring', daysLeft: Math.floor(daysLeft) },
      `apptoken: the client certificate expires on ${fields.notAfter} (in ${Math.floor(daysLeft)} days); ` +
        'upload its successor to the app registration and deploy it (a list of certificates rotates without downtime).',
    )
  }
}
