# ruff: noqa: E501  captured gluster output keeps its own long lines
"""XML that glusterfs 10.3 (Debian bookworm) printed, captured in hactl node containers.

Captured with `gluster --mode=script <command> --xml` on a 3-node pool (172.30.7.11-13): the
test fixture writes each to a file, as the CLI would, and the parsers read it back. Regenerate by
running the commands named in CAPTURED_WITH against a lab pool.
"""

from __future__ import annotations

CAPTURED_WITH = {
    "info_none": "volume info (no volumes)",
    "info_nosuch": "volume info nosuch",
    "info_created": "volume info data (created)",
    "info_started": "volume info data (started, options set)",
    "info_all": "volume info (replica 3 + arbiter volume)",
    "info_stopped_arb": "volume info arb (stopped)",
    "status_created": "volume status data (not started)",
    "status_started": "volume status data",
    "status_brick_down": "volume status data (node 3 glusterd stopped)",
    "peer_status_empty": "peer status (alone)",
    "peer_status_2": "peer status",
    "peer_status_disconnected": "peer status (node 3 down)",
    "pool_list": "pool list",
    "heal_info": "volume heal data info",
    "heal_info_pending": "volume heal data info (node 3 down, 5 writes)",
    "heal_summary": "volume heal data info summary",
    "heal_summary_pending": "volume heal data info summary (node 3 down)",
    "create_fail": "volume create data2 ... (brick in use)",
}

XML = {
    "info_none": """\
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cliOutput>
  <opRet>0</opRet>
  <opErrno>0</opErrno>
  <opErrstr/>
  <volInfo>
    <volumes>
      <count>0</count>
    </volumes>
  </volInfo>
</cliOutput>
""",
    "info_nosuch": """\
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cliOutput>
  <opRet>-1</opRet>
  <opErrno>30806</opErrno>
  <opErrstr>Volume does not exist</opErrstr>
  <volInfo>
    <volumes>
      <count>0</count>
    </volumes>
  </volInfo>
</cliOutput>
""",
    "info_created": """\
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cliOutput>
  <opRet>0</opRet>
  <opErrno>0</opErrno>
  <opErrstr/>
  <volInfo>
    <volumes>
      <volume>
        <name>data</name>
        <id>51c97aa5-f1a5-427b-a9e8-2c8a511d2d1c</id>
        <status>0</status>
        <statusStr>Created</statusStr>
        <snapshotCount>0</snapshotCount>
        <brickCount>3</brickCount>
        <distCount>1</distCount>
        <replicaCount>3</replicaCount>
        <arbiterCount>0</arbiterCount>
        <disperseCount>0</disperseCount>
        <redundancyCount>0</redundancyCount>
        <type>2</type>
        <typeStr>Replicate</typeStr>
        <transport>0</transport>
        <bricks>
          <brick uuid="9f3f89a0-28bf-4462-81e2-28126aa533f2">172.30.7.11:/bricks/b1<name>172.30.7.11:/bricks/b1</name><hostUuid>9f3f89a0-28bf-4462-81e2-28126aa533f2</hostUuid><isArbiter>0</isArbiter></brick>
          <brick uuid="35b95aec-3a48-482a-887b-3cb18d0f8280">172.30.7.12:/bricks/b1<name>172.30.7.12:/bricks/b1</name><hostUuid>35b95aec-3a48-482a-887b-3cb18d0f8280</hostUuid><isArbiter>0</isArbiter></brick>
          <brick uuid="ab475ffb-a158-4db2-988a-58768e2125ed">172.30.7.13:/bricks/b1<name>172.30.7.13:/bricks/b1</name><hostUuid>ab475ffb-a158-4db2-988a-58768e2125ed</hostUuid><isArbiter>0</isArbiter></brick>
        </bricks>
        <optCount>5</optCount>
        <options>
          <option>
            <name>cluster.granular-entry-heal</name>
            <value>on</value>
          </option>
          <option>
            <name>storage.fips-mode-rchecksum</name>
            <value>on</value>
          </option>
          <option>
            <name>transport.address-family</name>
            <value>inet</value>
          </option>
          <option>
            <name>nfs.disable</name>
            <value>on</value>
          </option>
          <option>
            <name>performance.client-io-threads</name>
            <value>off</value>
          </option>
        </options>
      </volume>
      <count>1</count>
    </volumes>
  </volInfo>
</cliOutput>
""",
    "info_started": """\
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cliOutput>
  <opRet>0</opRet>
  <opErrno>0</opErrno>
  <opErrstr/>
  <volInfo>
    <volumes>
      <volume>
        <name>data</name>
        <id>51c97aa5-f1a5-427b-a9e8-2c8a511d2d1c</id>
        <status>1</status>
        <statusStr>Started</statusStr>
        <snapshotCount>0</snapshotCount>
        <brickCount>3</brickCount>
        <distCount>1</distCount>
        <replicaCount>3</replicaCount>
        <arbiterCount>0</arbiterCount>
        <disperseCount>0</disperseCount>
        <redundancyCount>0</redundancyCount>
        <type>2</type>
        <typeStr>Replicate</typeStr>
        <transport>0</transport>
        <bricks>
          <brick uuid="9f3f89a0-28bf-4462-81e2-28126aa533f2">172.30.7.11:/bricks/b1<name>172.30.7.11:/bricks/b1</name><hostUuid>9f3f89a0-28bf-4462-81e2-28126aa533f2</hostUuid><isArbiter>0</isArbiter></brick>
          <brick uuid="35b95aec-3a48-482a-887b-3cb18d0f8280">172.30.7.12:/bricks/b1<name>172.30.7.12:/bricks/b1</name><hostUuid>35b95aec-3a48-482a-887b-3cb18d0f8280</hostUuid><isArbiter>0</isArbiter></brick>
          <brick uuid="ab475ffb-a158-4db2-988a-58768e2125ed">172.30.7.13:/bricks/b1<name>172.30.7.13:/bricks/b1</name><hostUuid>ab475ffb-a158-4db2-988a-58768e2125ed</hostUuid><isArbiter>0</isArbiter></brick>
        </bricks>
        <optCount>7</optCount>
        <options>
          <option>
            <name>network.ping-timeout</name>
            <value>10</value>
          </option>
          <option>
            <name>cluster.quorum-type</name>
            <value>auto</value>
          </option>
          <option>
            <name>cluster.granular-entry-heal</name>
            <value>on</value>
          </option>
          <option>
            <name>storage.fips-mode-rchecksum</name>
            <value>on</value>
          </option>
          <option>
            <name>transport.address-family</name>
            <value>inet</value>
          </option>
          <option>
            <name>nfs.disable</name>
            <value>on</value>
          </option>
          <option>
            <name>performance.client-io-threads</name>
            <value>off</value>
          </option>
        </options>
      </volume>
      <count>1</count>
    </volumes>
  </volInfo>
</cliOutput>
""",
    "info_all": """\
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cliOutput>
  <opRet>0</opRet>
  <opErrno>0</opErrno>
  <opErrstr/>
  <volInfo>
    <volumes>
      <volume>
        <name>arb</name>
        <id>9f267bd8-4b36-43a8-8a9e-192e5a7b862d</id>
        <status>1</status>
        <statusStr>Started</statusStr>
        <snapshotCount>0</snapshotCount>
        <brickCount>3</brickCount>
        <distCount>1</distCount>
        <replicaCount>3</replicaCount>
        <arbiterCount>1</arbiterCount>
        <disperseCount>0</disperseCount>
        <redundancyCount>0</redundancyCount>
        <type>2</type>
        <typeStr>Replicate</typeStr>
        <transport>0</transport>
        <bricks>
          <brick uuid="9f3f89a0-28bf-4462-81e2-28126aa533f2">172.30.7.11:/bricks/b2<name>172.30.7.11:/bricks/b2</name><hostUuid>9f3f89a0-28bf-4462-81e2-28126aa533f2</hostUuid><isArbiter>0</isArbiter></brick>
          <brick uuid="35b95aec-3a48-482a-887b-3cb18d0f8280">172.30.7.12:/bricks/b2<name>172.30.7.12:/bricks/b2</name><hostUuid>35b95aec-3a48-482a-887b-3cb18d0f8280</hostUuid><isArbiter>0</isArbiter></brick>
          <brick uuid="ab475ffb-a158-4db2-988a-58768e2125ed">172.30.7.13:/bricks/b2<name>172.30.7.13:/bricks/b2</name><hostUuid>ab475ffb-a158-4db2-988a-58768e2125ed</hostUuid><isArbiter>1</isArbiter></brick>
        </bricks>
        <optCount>5</optCount>
        <options>
          <option>
            <name>cluster.granular-entry-heal</name>
            <value>on</value>
          </option>
          <option>
            <name>storage.fips-mode-rchecksum</name>
            <value>on</value>
          </option>
          <option>
            <name>transport.address-family</name>
            <value>inet</value>
          </option>
          <option>
            <name>nfs.disable</name>
            <value>on</value>
          </option>
          <option>
            <name>performance.client-io-threads</name>
            <value>off</value>
          </option>
        </options>
      </volume>
      <volume>
        <name>data</name>
        <id>51c97aa5-f1a5-427b-a9e8-2c8a511d2d1c</id>
        <status>1</status>
        <statusStr>Started</statusStr>
        <snapshotCount>0</snapshotCount>
        <brickCount>3</brickCount>
        <distCount>1</distCount>
        <replicaCount>3</replicaCount>
        <arbiterCount>0</arbiterCount>
        <disperseCount>0</disperseCount>
        <redundancyCount>0</redundancyCount>
        <type>2</type>
        <typeStr>Replicate</typeStr>
        <transport>0</transport>
        <bricks>
          <brick uuid="9f3f89a0-28bf-4462-81e2-28126aa533f2">172.30.7.11:/bricks/b1<name>172.30.7.11:/bricks/b1</name><hostUuid>9f3f89a0-28bf-4462-81e2-28126aa533f2</hostUuid><isArbiter>0</isArbiter></brick>
          <brick uuid="35b95aec-3a48-482a-887b-3cb18d0f8280">172.30.7.12:/bricks/b1<name>172.30.7.12:/bricks/b1</name><hostUuid>35b95aec-3a48-482a-887b-3cb18d0f8280</hostUuid><isArbiter>0</isArbiter></brick>
          <brick uuid="ab475ffb-a158-4db2-988a-58768e2125ed">172.30.7.13:/bricks/b1<name>172.30.7.13:/bricks/b1</name><hostUuid>ab475ffb-a158-4db2-988a-58768e2125ed</hostUuid><isArbiter>0</isArbiter></brick>
        </bricks>
        <optCount>7</optCount>
        <options>
          <option>
            <name>network.ping-timeout</name>
            <value>10</value>
          </option>
          <option>
            <name>cluster.quorum-type</name>
            <value>auto</value>
          </option>
          <option>
            <name>cluster.granular-entry-heal</name>
            <value>on</value>
          </option>
          <option>
            <name>storage.fips-mode-rchecksum</name>
            <value>on</value>
          </option>
          <option>
            <name>transport.address-family</name>
            <value>inet</value>
          </option>
          <option>
            <name>nfs.disable</name>
            <value>on</value>
          </option>
          <option>
            <name>performance.client-io-threads</name>
            <value>off</value>
          </option>
        </options>
      </volume>
      <count>2</count>
    </volumes>
  </volInfo>
</cliOutput>
""",
    "info_stopped_arb": """\
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cliOutput>
  <opRet>0</opRet>
  <opErrno>0</opErrno>
  <opErrstr/>
  <volInfo>
    <volumes>
      <volume>
        <name>arb</name>
        <id>9f267bd8-4b36-43a8-8a9e-192e5a7b862d</id>
        <status>2</status>
        <statusStr>Stopped</statusStr>
        <snapshotCount>0</snapshotCount>
        <brickCount>3</brickCount>
        <distCount>1</distCount>
        <replicaCount>3</replicaCount>
        <arbiterCount>1</arbiterCount>
        <disperseCount>0</disperseCount>
        <redundancyCount>0</redundancyCount>
        <type>2</type>
        <typeStr>Replicate</typeStr>
        <transport>0</transport>
        <bricks>
          <brick uuid="9f3f89a0-28bf-4462-81e2-28126aa533f2">172.30.7.11:/bricks/b2<name>172.30.7.11:/bricks/b2</name><hostUuid>9f3f89a0-28bf-4462-81e2-28126aa533f2</hostUuid><isArbiter>0</isArbiter></brick>
          <brick uuid="35b95aec-3a48-482a-887b-3cb18d0f8280">172.30.7.12:/bricks/b2<name>172.30.7.12:/bricks/b2</name><hostUuid>35b95aec-3a48-482a-887b-3cb18d0f8280</hostUuid><isArbiter>0</isArbiter></brick>
          <brick uuid="ab475ffb-a158-4db2-988a-58768e2125ed">172.30.7.13:/bricks/b2<name>172.30.7.13:/bricks/b2</name><hostUuid>ab475ffb-a158-4db2-988a-58768e2125ed</hostUuid><isArbiter>1</isArbiter></brick>
        </bricks>
        <optCount>5</optCount>
        <options>
          <option>
            <name>cluster.granular-entry-heal</name>
            <value>on</value>
          </option>
          <option>
            <name>storage.fips-mode-rchecksum</name>
            <value>on</value>
          </option>
          <option>
            <name>transport.address-family</name>
            <value>inet</value>
          </option>
          <option>
            <name>nfs.disable</name>
            <value>on</value>
          </option>
          <option>
            <name>performance.client-io-threads</name>
            <value>off</value>
          </option>
        </options>
      </volume>
      <count>1</count>
    </volumes>
  </volInfo>
</cliOutput>
""",
    "status_created": """\
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cliOutput>
  <opRet>-1</opRet>
  <opErrno>30800</opErrno>
  <opErrstr>Volume data is not started</opErrstr>
  <cliOp>volStatus</cliOp>
  <output>Volume data is not started</output>
</cliOutput>
""",
    "status_started": """\
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cliOutput>
  <opRet>0</opRet>
  <opErrno>0</opErrno>
  <opErrstr/>
  <volStatus>
    <volumes>
      <volume>
        <volName>data</volName>
        <nodeCount>6</nodeCount>
        <node>
          <hostname>172.30.7.11</hostname>
          <path>/bricks/b1</path>
          <peerid>9f3f89a0-28bf-4462-81e2-28126aa533f2</peerid>
          <status>1</status>
          <port>52231</port>
          <ports>
            <tcp>52231</tcp>
            <rdma>N/A</rdma>
          </ports>
          <pid>1424</pid>
        </node>
        <node>
          <hostname>172.30.7.12</hostname>
          <path>/bricks/b1</path>
          <peerid>35b95aec-3a48-482a-887b-3cb18d0f8280</peerid>
          <status>1</status>
          <port>53120</port>
          <ports>
            <tcp>53120</tcp>
            <rdma>N/A</rdma>
          </ports>
          <pid>1292</pid>
        </node>
        <node>
          <hostname>172.30.7.13</hostname>
          <path>/bricks/b1</path>
          <peerid>ab475ffb-a158-4db2-988a-58768e2125ed</peerid>
          <status>1</status>
          <port>56947</port>
          <ports>
            <tcp>56947</tcp>
            <rdma>N/A</rdma>
          </ports>
          <pid>1290</pid>
        </node>
        <node>
          <hostname>Self-heal Daemon</hostname>
          <path>localhost</path>
          <peerid>9f3f89a0-28bf-4462-81e2-28126aa533f2</peerid>
          <status>1</status>
          <port>N/A</port>
          <ports>
            <tcp>N/A</tcp>
            <rdma>N/A</rdma>
          </ports>
          <pid>1441</pid>
        </node>
        <node>
          <hostname>Self-heal Daemon</hostname>
          <path>172.30.7.13</path>
          <peerid>ab475ffb-a158-4db2-988a-58768e2125ed</peerid>
          <status>1</status>
          <port>N/A</port>
          <ports>
            <tcp>N/A</tcp>
            <rdma>N/A</rdma>
          </ports>
          <pid>1307</pid>
        </node>
        <node>
          <hostname>Self-heal Daemon</hostname>
          <path>172.30.7.12</path>
          <peerid>35b95aec-3a48-482a-887b-3cb18d0f8280</peerid>
          <status>1</status>
          <port>N/A</port>
          <ports>
            <tcp>N/A</tcp>
            <rdma>N/A</rdma>
          </ports>
          <pid>1309</pid>
        </node>
        <tasks/>
      </volume>
    </volumes>
  </volStatus>
</cliOutput>
""",
    "status_brick_down": """\
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cliOutput>
  <opRet>0</opRet>
  <opErrno>0</opErrno>
  <opErrstr/>
  <volStatus>
    <volumes>
      <volume>
        <volName>data</volName>
        <nodeCount>4</nodeCount>
        <node>
          <hostname>172.30.7.11</hostname>
          <path>/bricks/b1</path>
          <peerid>9f3f89a0-28bf-4462-81e2-28126aa533f2</peerid>
          <status>1</status>
          <port>52231</port>
          <ports>
            <tcp>52231</tcp>
            <rdma>N/A</rdma>
          </ports>
          <pid>1424</pid>
        </node>
        <node>
          <hostname>172.30.7.12</hostname>
          <path>/bricks/b1</path>
          <peerid>35b95aec-3a48-482a-887b-3cb18d0f8280</peerid>
          <status>1</status>
          <port>53120</port>
          <ports>
            <tcp>53120</tcp>
            <rdma>N/A</rdma>
          </ports>
          <pid>1292</pid>
        </node>
        <node>
          <hostname>Self-heal Daemon</hostname>
          <path>localhost</path>
          <peerid>9f3f89a0-28bf-4462-81e2-28126aa533f2</peerid>
          <status>1</status>
          <port>N/A</port>
          <ports>
            <tcp>N/A</tcp>
            <rdma>N/A</rdma>
          </ports>
          <pid>1441</pid>
        </node>
        <node>
          <hostname>Self-heal Daemon</hostname>
          <path>172.30.7.12</path>
          <peerid>35b95aec-3a48-482a-887b-3cb18d0f8280</peerid>
          <status>1</status>
          <port>N/A</port>
          <ports>
            <tcp>N/A</tcp>
            <rdma>N/A</rdma>
          </ports>
          <pid>1309</pid>
        </node>
        <tasks/>
      </volume>
    </volumes>
  </volStatus>
</cliOutput>
""",
    "peer_status_empty": """\
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cliOutput>
  <opRet>0</opRet>
  <opErrno>0</opErrno>
  <opErrstr/>
  <peerStatus/>
</cliOutput>
""",
    "peer_status_2": """\
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cliOutput>
  <opRet>0</opRet>
  <opErrno>0</opErrno>
  <opErrstr/>
  <peerStatus>
    <peer>
      <uuid>35b95aec-3a48-482a-887b-3cb18d0f8280</uuid>
      <hostname>172.30.7.12</hostname>
      <hostnames>
        <hostname>172.30.7.12</hostname>
      </hostnames>
      <connected>1</connected>
      <state>3</state>
      <stateStr>Peer in Cluster</stateStr>
    </peer>
    <peer>
      <uuid>ab475ffb-a158-4db2-988a-58768e2125ed</uuid>
      <hostname>172.30.7.13</hostname>
      <hostnames>
        <hostname>172.30.7.13</hostname>
      </hostnames>
      <connected>1</connected>
      <state>3</state>
      <stateStr>Peer in Cluster</stateStr>
    </peer>
  </peerStatus>
</cliOutput>
""",
    "peer_status_disconnected": """\
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cliOutput>
  <opRet>0</opRet>
  <opErrno>0</opErrno>
  <opErrstr/>
  <peerStatus>
    <peer>
      <uuid>35b95aec-3a48-482a-887b-3cb18d0f8280</uuid>
      <hostname>172.30.7.12</hostname>
      <hostnames>
        <hostname>172.30.7.12</hostname>
      </hostnames>
      <connected>1</connected>
      <state>3</state>
      <stateStr>Peer in Cluster</stateStr>
    </peer>
    <peer>
      <uuid>ab475ffb-a158-4db2-988a-58768e2125ed</uuid>
      <hostname>172.30.7.13</hostname>
      <hostnames>
        <hostname>172.30.7.13</hostname>
      </hostnames>
      <connected>0</connected>
      <state>3</state>
      <stateStr>Peer in Cluster</stateStr>
    </peer>
  </peerStatus>
</cliOutput>
""",
    "pool_list": """\
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cliOutput>
  <opRet>0</opRet>
  <opErrno>0</opErrno>
  <opErrstr/>
  <peerStatus>
    <peer>
      <uuid>35b95aec-3a48-482a-887b-3cb18d0f8280</uuid>
      <hostname>172.30.7.12</hostname>
      <hostnames>
        <hostname>172.30.7.12</hostname>
      </hostnames>
      <connected>1</connected>
      <state>3</state>
      <stateStr>Peer in Cluster</stateStr>
    </peer>
    <peer>
      <uuid>ab475ffb-a158-4db2-988a-58768e2125ed</uuid>
      <hostname>172.30.7.13</hostname>
      <hostnames>
        <hostname>172.30.7.13</hostname>
      </hostnames>
      <connected>1</connected>
      <state>3</state>
      <stateStr>Peer in Cluster</stateStr>
    </peer>
    <peer>
      <uuid>9f3f89a0-28bf-4462-81e2-28126aa533f2</uuid>
      <hostname>localhost</hostname>
      <connected>1</connected>
    </peer>
  </peerStatus>
</cliOutput>
""",
    "heal_info": """\
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cliOutput>
  <healInfo>
    <bricks>
      <brick hostUuid="9f3f89a0-28bf-4462-81e2-28126aa533f2">
        <name>172.30.7.11:/bricks/b1</name>
        <status>Connected</status>
        <numberOfEntries>0</numberOfEntries>
      </brick>
      <brick hostUuid="35b95aec-3a48-482a-887b-3cb18d0f8280">
        <name>172.30.7.12:/bricks/b1</name>
        <status>Connected</status>
        <numberOfEntries>0</numberOfEntries>
      </brick>
      <brick hostUuid="ab475ffb-a158-4db2-988a-58768e2125ed">
        <name>172.30.7.13:/bricks/b1</name>
        <status>Connected</status>
        <numberOfEntries>0</numberOfEntries>
      </brick>
    </bricks>
  </healInfo>
  <opRet>0</opRet>
  <opErrno>0</opErrno>
  <opErrstr/>
</cliOutput>
""",
    "heal_info_pending": """\
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cliOutput>
  <healInfo>
    <bricks>
      <brick hostUuid="9f3f89a0-28bf-4462-81e2-28126aa533f2">
        <name>172.30.7.11:/bricks/b1</name>
        <file gfid="00000000-0000-0000-0000-000000000001">/</file>
        <file gfid="963950e4-fa81-4f81-9d57-bce3f842ce9f">/f3</file>
        <file gfid="0f3d2039-ec08-4361-a802-b5b829083acb">/f2</file>
        <file gfid="52c24ec7-c214-4f3d-8498-a37af6bcacf3">/f5</file>
        <file gfid="9bd8c865-4ba3-43be-8348-9ecba89eb8c8">/f1</file>
        <file gfid="d234e380-0440-4d73-8755-bbf145017b9f">/f4</file>
        <status>Connected</status>
        <numberOfEntries>6</numberOfEntries>
      </brick>
      <brick hostUuid="35b95aec-3a48-482a-887b-3cb18d0f8280">
        <name>172.30.7.12:/bricks/b1</name>
        <file gfid="00000000-0000-0000-0000-000000000001">/</file>
        <file gfid="963950e4-fa81-4f81-9d57-bce3f842ce9f">/f3</file>
        <file gfid="0f3d2039-ec08-4361-a802-b5b829083acb">/f2</file>
        <file gfid="52c24ec7-c214-4f3d-8498-a37af6bcacf3">/f5</file>
        <file gfid="9bd8c865-4ba3-43be-8348-9ecba89eb8c8">/f1</file>
        <file gfid="d234e380-0440-4d73-8755-bbf145017b9f">/f4</file>
        <status>Connected</status>
        <numberOfEntries>6</numberOfEntries>
      </brick>
      <brick hostUuid="-">
        <name>172.30.7.13:/bricks/b1</name>
        <status>Transport endpoint is not connected</status>
        <numberOfEntries>-</numberOfEntries>
      </brick>
    </bricks>
  </healInfo>
  <opRet>0</opRet>
  <opErrno>0</opErrno>
  <opErrstr/>
</cliOutput>
""",
    "heal_summary": """\
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cliOutput>
  <healInfo>
    <bricks>
      <brick hostUuid="9f3f89a0-28bf-4462-81e2-28126aa533f2">
        <name>172.30.7.11:/bricks/b1</name>
        <status>Connected</status>
        <totalNumberOfEntries>0</totalNumberOfEntries>
        <numberOfEntriesInHealPending>0</numberOfEntriesInHealPending>
        <numberOfEntriesInSplitBrain>0</numberOfEntriesInSplitBrain>
        <numberOfEntriesPossiblyHealing>0</numberOfEntriesPossiblyHealing>
      </brick>
      <brick hostUuid="35b95aec-3a48-482a-887b-3cb18d0f8280">
        <name>172.30.7.12:/bricks/b1</name>
        <status>Connected</status>
        <totalNumberOfEntries>0</totalNumberOfEntries>
        <numberOfEntriesInHealPending>0</numberOfEntriesInHealPending>
        <numberOfEntriesInSplitBrain>0</numberOfEntriesInSplitBrain>
        <numberOfEntriesPossiblyHealing>0</numberOfEntriesPossiblyHealing>
      </brick>
      <brick hostUuid="ab475ffb-a158-4db2-988a-58768e2125ed">
        <name>172.30.7.13:/bricks/b1</name>
        <status>Connected</status>
        <totalNumberOfEntries>0</totalNumberOfEntries>
        <numberOfEntriesInHealPending>0</numberOfEntriesInHealPending>
        <numberOfEntriesInSplitBrain>0</numberOfEntriesInSplitBrain>
        <numberOfEntriesPossiblyHealing>0</numberOfEntriesPossiblyHealing>
      </brick>
    </bricks>
  </healInfo>
  <opRet>0</opRet>
  <opErrno>0</opErrno>
  <opErrstr/>
</cliOutput>
""",
    "heal_summary_pending": """\
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cliOutput>
  <healInfo>
    <bricks>
      <brick hostUuid="9f3f89a0-28bf-4462-81e2-28126aa533f2">
        <name>172.30.7.11:/bricks/b1</name>
        <status>Connected</status>
        <totalNumberOfEntries>6</totalNumberOfEntries>
        <numberOfEntriesInHealPending>6</numberOfEntriesInHealPending>
        <numberOfEntriesInSplitBrain>0</numberOfEntriesInSplitBrain>
        <numberOfEntriesPossiblyHealing>0</numberOfEntriesPossiblyHealing>
      </brick>
      <brick hostUuid="35b95aec-3a48-482a-887b-3cb18d0f8280">
        <name>172.30.7.12:/bricks/b1</name>
        <status>Connected</status>
        <totalNumberOfEntries>6</totalNumberOfEntries>
        <numberOfEntriesInHealPending>6</numberOfEntriesInHealPending>
        <numberOfEntriesInSplitBrain>0</numberOfEntriesInSplitBrain>
        <numberOfEntriesPossiblyHealing>0</numberOfEntriesPossiblyHealing>
      </brick>
      <brick hostUuid="-">
        <name>172.30.7.13:/bricks/b1</name>
        <status>Failed to process entries completely. (Transport endpoint is not connected)totalNumberOfEntries0</status>
      </brick>
    </bricks>
  </healInfo>
  <opRet>0</opRet>
  <opErrno>0</opErrno>
  <opErrstr/>
</cliOutput>
""",
    "create_fail": """\
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cliOutput>
  <opRet>-1</opRet>
  <opErrno>30800</opErrno>
  <opErrstr>Brick: 172.30.7.11:/bricks/b1 not available. Brick may be containing or be contained by an existing brick.</opErrstr>
</cliOutput>
""",
}
