/** The credentials the vendor issues for its account service, kept in Secrets Manager and set by the operators. */
import { RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge, keepLogicalId } from './nag.ts';
import type { StackConfig } from './stack-config.ts';

export class UpstreamSecrets extends Construct {
  /** UserCenter's `{"sysId", "clientId"}`, when the upstream is UserCenter. */
  readonly userCenterCredentials: Secret | undefined;
  /** The OAuth client secret, when the upstream is an OAuth server. */
  readonly oauthClientSecret: Secret | undefined;
  /** The HMAC key under which attempt counters name usernames and addresses; generated, never shown. */
  readonly attemptKey: Secret;
  /** The client secret Homebase presents to the driver's OAuth 2.0 server; generated, and pasted into Rokid's console. */
  readonly homebaseClientSecret: Secret | undefined;
  /** v2's JWT appSecret, when rokidJwtAppId is set; generated, and pasted into Rokid's console. */
  readonly rokidJwtAppSecret: Secret | undefined;
  /** What the http device cloud takes for JWT users' calls (they have no upstream token); the vendor sets it. */
  readonly deviceCloudServiceToken: Secret | undefined;
  /** State reports: the clientSecret Rokid's console issues beside rokidEventsClientId; the operators set it. */
  readonly rokidEventsClientSecret: Secret | undefined;
  /** State reports: the HMAC key the device cloud signs its changes with; generated, and given to the device cloud. */
  readonly deviceEventsSecret: Secret | undefined;

  constructor(scope: Construct, id: string, props: { config: StackConfig; key: IKey }) {
    super(scope, id);
    const { config, key } = props;
    if (config.upstream === 'usercenter') {
      this.userCenterCredentials = new Secret(this, 'UserCenterCredentials', {
        description: 'homebase-driver: UserCenter {"sysId": "...", "clientId": "..."}',
        encryptionKey: key,
        generateSecretString: { secretStringTemplate: JSON.stringify({ sysId: '', clientId: '' }), generateStringKey: 'unused' },
        removalPolicy: RemovalPolicy.RETAIN,
      });
      keepLogicalId(this.userCenterCredentials, 'UserCenterCredentials7C75A8AC');
    }
    if (config.upstream === 'oauth') {
      this.oauthClientSecret = new Secret(this, 'OAuthClientSecret', {
        description: 'homebase-driver: the OAuth client secret issued by the vendor authorization server',
        encryptionKey: key,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      keepLogicalId(this.oauthClientSecret, 'OAuthClientSecret10CAC3E7');
    }
    this.attemptKey = new Secret(this, 'AttemptLimitKey', {
      description: 'homebase-driver: the HMAC key of the login attempt counters (generated; nobody needs to read it)',
      encryptionKey: key,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    if (config.homebaseClientId) {
      this.homebaseClientSecret = new Secret(this, 'HomebaseClientSecret', {
        description: `homebase-driver: the client secret of ${config.homebaseClientId} at the driver's OAuth 2.0 server (give it to Rokid's console)`,
        encryptionKey: key,
        generateSecretString: { passwordLength: 48, excludePunctuation: true },
        removalPolicy: RemovalPolicy.RETAIN,
      });
      acknowledge(
        this.homebaseClientSecret,
        'SMG4',
        "Rokid's console holds a copy of this secret, so a rotation is a change made there first; docs/operations.md gives the procedure.",
      );
    }
    if (config.rokidEventsClientId) {
      this.rokidEventsClientSecret = new Secret(this, 'RokidEventsClientSecret', {
        description: `homebase-driver: the clientSecret Rokid's console issued with clientId ${config.rokidEventsClientId} (上报设备状态)`,
        encryptionKey: key,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      this.deviceEventsSecret = new Secret(this, 'DeviceEventsSecret', {
        description: "homebase-driver: the HMAC key of POST /device-events (give it to the vendor's device cloud)",
        encryptionKey: key,
        generateSecretString: { passwordLength: 48, excludePunctuation: true },
        removalPolicy: RemovalPolicy.RETAIN,
      });
      acknowledge(
        this.deviceEventsSecret,
        'SMG4',
        "The vendor's device cloud holds a copy and signs with it, so a rotation is a change made there too; docs/operations.md gives the procedure.",
      );
    }
    if (config.rokidJwtAppId) {
      this.rokidJwtAppSecret = new Secret(this, 'RokidJwtAppSecret', {
        description: `homebase-driver: the appSecret of JWT appId ${config.rokidJwtAppId} (give it to Rokid's console; Rokid signs with it)`,
        encryptionKey: key,
        generateSecretString: { passwordLength: 48, excludePunctuation: true },
        removalPolicy: RemovalPolicy.RETAIN,
      });
      acknowledge(
        this.rokidJwtAppSecret,
        'SMG4',
        "Rokid's console holds a copy of this secret and signs with it, so a rotation is a change made there first; docs/operations.md gives the procedure.",
      );
    }
    // JWT users and state reports both call the device cloud with no user token to hand.
    if ((config.rokidJwtAppId || config.rokidEventsClientId) && config.deviceCloud === 'http') {
      this.deviceCloudServiceToken = new Secret(this, 'DeviceCloudServiceToken', {
        description: "homebase-driver: the vendor device cloud's service token, for v2 JWT users' calls and state reports",
        encryptionKey: key,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
    acknowledge(
      this.attemptKey,
      'SMG4',
      'A random HMAC key for attempt counters that last 15 minutes; rotating it would only restart the counters, so it is not rotated.',
    );
    for (const secret of [this.userCenterCredentials, this.oauthClientSecret, this.deviceCloudServiceToken, this.rokidEventsClientSecret]) {
      if (secret) {
        acknowledge(
          secret,
          'SMG4',
          'The vendor issues this credential, so AWS cannot rotate it; docs/operations.md gives the rotation procedure, and functions pick up a new value within 5 minutes.',
        );
      }
    }
  }
}
