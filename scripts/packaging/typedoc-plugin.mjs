// Two checks typedoc makes only for the project's own package (a monorepo reference has none),
// made here for every @apptoken/* module:
// - a public signature naming a type users cannot import ("referenced but not exported");
// - every export has TSDoc (members are not required to); a missing @example (house style) is
//   listed, without failing.
import { Application, ReflectionKind, makeRecursiveVisitor } from 'typedoc'

/**
 * Every reference type in the documented API, with the reflection that holds it (like typedoc's
 * own export validation: types, parameters, type parameters, implemented types; not `extends`,
 * whose members are copied into the page).
 */
function referenceTypes(project) {
  const found = []
  for (const owner of Object.values(project.reflections)) {
    const visitor = makeRecursiveVisitor({ reference: (type) => found.push({ type, owner }) })
    owner.type?.visit(visitor)
    owner.default?.visit(visitor)
    owner.overwrites?.visit(visitor)
    for (const type of owner.implementedTypes ?? []) type.visit(visitor)
  }
  return found
}

/** @param {Application} app */
export function load(app) {
  app.on(Application.EVENT_VALIDATE_PROJECT, (project) => {
    const warned = new Set()
    for (const { type, owner } of referenceTypes(project)) {
      if (type.reflection || type.externalUrl || type.isIntentionallyBroken()) continue
      if (!type.package?.startsWith('@apptoken/')) continue
      const key = type.symbolId?.getStableKey()
      if (warned.has(key)) continue
      warned.add(key)
      app.logger.validationWarning(
        `${type.qualifiedName}, defined in ${type.package}/${type.symbolId?.packagePath}, is referenced by ${owner.getFriendlyFullName()} but not exported: export it from the package's src/index.ts`,
      )
    }

    const noExample = []
    for (const module of project.getReflectionsByKind(ReflectionKind.Module)) {
      for (const child of module.children ?? []) {
        // A re-export is a link to the declaration, documented where it is declared.
        if (child.kindOf(ReflectionKind.Reference)) continue
        const symbol = project.getSymbolIdFromReflection(child)
        const comment = child.comment ?? child.signatures?.find((s) => s.comment)?.comment
        const where = `${child.getFriendlyFullName()} (${ReflectionKind.singularString(child.kind)}, ${symbol?.packagePath ?? '?'})`
        if (comment === undefined) app.logger.validationWarning(`${where} has no TSDoc`)
        else if (!comment.blockTags.some((t) => t.tag === '@example')) noExample.push(where)
      }
    }
    if (noExample.length > 0)
      app.logger.info(`${noExample.length} exports have no @example:\n  ${noExample.join('\n  ')}`)
  })
}
