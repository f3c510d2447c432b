import { alternate, check, clean, measure, ratio, scenario, summary } from '../lib/measure';
import type { Scenario } from '../lib/scenario';
import { PATIENTS, PATIENTS_PAGE, PATIENTS_PAGE_SIZE } from '../lib/settings';

/** A deep page of a practitioner's patients (keyset) against page 1. */
export const patientsPage: Scenario = {
  id: 'patients-page',
  round: {
    for: ['patients-page'],
    measure: async ({ app, clinic, asPractitioner }, r) => {
      if (!clinic) return;
      const deep = `/api/v1/patients?cursor=${encodeURIComponent(clinic.deepCursor)}`;
      await alternate(r, [
        () => measure('patients-page/1', { url: app.url, server: app, request: () => asPractitioner('/api/v1/patients'), connections: 8 }),
        () => measure(`patients-page/${PATIENTS_PAGE}`, { url: app.url, server: app, request: () => asPractitioner(deep), connections: 8 }),
      ]);
    },
  },
  evaluate() {
    const firstPage = summary('patients-page/1');
    const deepPage = summary(`patients-page/${PATIENTS_PAGE}`);
    return scenario({
      id: 'patients-page',
      title: `GET /api/v1/patients?cursor= page ${PATIENTS_PAGE.toLocaleString('en')} (of ${PATIENTS_PAGE_SIZE}) of a practitioner with ${PATIENTS.toLocaleString('en')} patients, 8 connections`,
      target: 'p50 ≤ 1.3 × the p50 of page 1',
      app: deepPage,
      baseline: firstPage,
      baselineName: 'page 1 of the same list (same app, same caller)',
      checks: [check('p50 ratio', ratio(deepPage, firstPage, 'p50Ms'), 1.3, '<=')],
      measured: !!(deepPage && firstPage),
      cleanRuns: clean(deepPage, firstPage),
    });
  },
};
