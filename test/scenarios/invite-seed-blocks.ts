import { AnonymousCareidApi, CareidApi, NotificationTypeEnum, ua2hex, type PatientDto } from '@careid/sdk';

// The code blocks of iCure's "Inviting an existing patient to become a user" that follow the invitation, as the
// seed writes them; seed-code.e2e-spec.ts and seed-code-lifecycle.e2e-spec.ts run them after their invitation.
// Each statement Careid changes is marked `// Careid:` (libs/sdk/README.md lists them with the reason).

/** "The User Logs in and Asks for Access" */
export async function userLogsInAndAsksForAccess(host: string, patientUsername: string, patientToken: string) {
  // Careid: `new AnonymousMedTechApiBuilder().withICureBaseUrl(host).withMsgGwUrl(msgGtwUrl).withMsgGwSpecId(specId)
  //   .withCrypto(webcrypto as any).withAuthProcessByEmailId(authProcessId).withAuthProcessBySmsId(authProcessId).build()`
  const anonymousMedTechApi = new AnonymousCareidApi({ baseUrl: host });

  const { publicKey, privateKey } = await anonymousMedTechApi.cryptoApi.RSA.generateKeyPair();
  const publicKeyHex = ua2hex(await anonymousMedTechApi.cryptoApi.RSA.exportKey(publicKey, 'spki'));
  const privateKeyHex = ua2hex(await anonymousMedTechApi.cryptoApi.RSA.exportKey(privateKey, 'pkcs8'));

  const authenticationResult = await anonymousMedTechApi.authenticationApi.authenticateAndAskAccessToItsExistingData(
    patientUsername,
    patientToken,
    async () => ({ privateKey: privateKeyHex, publicKey: publicKeyHex }),
  );
  return { publicKeyHex, privateKeyHex, authenticationResult };
}

/** "The Doctor Receives the Notification and Gives Back Access" */
export async function doctorGivesBackAccess(api: CareidApi, patient: PatientDto) {
  const newNotifications = await api.notificationApi.getPendingNotificationsAfter();
  const patientNotification = newNotifications.filter(
    (notification) => notification.type === NotificationTypeEnum.NEW_USER_OWN_DATA_ACCESS && notification.responsible === patient.id,
  )[0];

  const ongoingStatusUpdate = await api.notificationApi.updateNotificationStatus(patientNotification, 'ongoing');

  const sharedData = await api.patientApi.giveAccessToAllDataOf(patient.id);

  const completedStatusUpdate = await api.notificationApi.updateNotificationStatus(ongoingStatusUpdate, 'completed');
  return { patientNotification, ongoingStatusUpdate, sharedData, completedStatusUpdate };
}
