import { alternate, check, clean, measure, ratio, scenario, summary } from '../lib/measure';
import type { Scenario } from '../lib/scenario';

/** A patient read by its practitioner (delegation check and audit record) against the bare server doing the same. */
export const patientsGet: Scenario = {
  id: 'patients-get',
  round: {
    for: ['patients-get'],
    measure: async ({ app, bare, clinic, asPractitioner }, r) => {
      if (!clinic) return;
      await alternate(r, [
        () =>
          measure('patients-get/app', {
            url: app.url,
            server: app,
            request: () => asPractitioner(`/api/v1/patients/${clinic.patientId}`),
            connections: 32,
          }),
        () =>
          measure('patients-get/bare', {
            url: bare.url,
            server: bare,
            request: () => asPractitioner(`/patients/${clinic.patientId}`),
            connections: 32,
          }),
      ]);
    },
  },
  evaluate() {
    const patientApp = summary('patients-get/app');
    const patientBare = summary('patients-get/bare');
    return scenario({
      id: 'patients-get',
      title: 'GET /api/v1/patients/:id by its practitioner (delegation check and audit record included), 32 connections',
      target: "≥ 0.5 × the bare server's requests/s",
      app: patientApp,
      baseline: patientBare,
      baselineName: 'bare node:http: same JWT check, same patient SQL, same delegation check, same audit INSERT via pg',
      checks: [check('requests/s ratio', ratio(patientApp, patientBare), 0.5, '>=')],
      measured: !!(patientApp && patientBare),
      cleanRuns: clean(patientApp, patientBare),
    });
  },
};
