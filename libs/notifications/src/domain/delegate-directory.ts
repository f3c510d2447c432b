/** Which practitioners hold a delegation on a patient: provided by the composition root from the patients context. */
export interface DelegateDirectory {
  practitionersHoldingPatient(patientId: string): Promise<string[]>;
}

export const DELEGATE_DIRECTORY = Symbol('DELEGATE_DIRECTORY');
