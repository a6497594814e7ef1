// The same end state as bench/fleets/bench-service.ts, as an Ansible playbook.
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const playbook = `- hosts: all
  gather_facts: false
  tasks:
    - ansible.builtin.apt: { name: tree, state: present, update_cache: true, cache_valid_time: 3600 }
    - ansible.builtin.user: { name: bench, system: true, home: /srv/bench, create_home: false, shell: /usr/sbin/nologin }
    - ansible.builtin.file: { path: /srv/bench, state: directory, owner: bench, group: bench, mode: "0755" }
    - ansible.builtin.copy: { dest: /srv/bench/index.html, content: "{{ message }}\\n", owner: bench, group: bench, mode: "0644" }
      notify: restart bench
    - ansible.builtin.file: { path: /etc/bench, state: directory }
    - ansible.builtin.copy: { dest: /etc/bench/app.conf, content: "listen = 8090\\nworkers = 2\\n", mode: "0644" }
    - ansible.builtin.copy:
        dest: /etc/systemd/system/bench.service
        mode: "0644"
        content: |
          [Unit]
          Description=Bench web server
          [Service]
          ExecStart=/bin/busybox httpd -f -p 8090 -h /srv/bench
          User=bench
          Restart=on-failure
          [Install]
          WantedBy=multi-user.target
      notify: restart bench
    - ansible.builtin.systemd: { name: bench, enabled: true, state: started, daemon_reload: true }
  handlers:
    - name: restart bench
      ansible.builtin.systemd: { name: bench, state: restarted, daemon_reload: true }
`;

/**
 * Playbook, inventory, ansible.cfg (pipelining on: Ansible's fastest setting; as many forks as hosts,
 * at least Ansible's default 5) and an ssh wrapper
 * that logs each connection, so round trips per host can be counted.
 */
export function writeAnsibleDeploy(
  dir: string,
  hosts: Record<string, string>,
  sshConfig: string,
  forks = 5,
): { playbook: string; inventory: string; cfg: string; sshLog: string } {
  mkdirSync(dir, { recursive: true });
  const sshLog = path.join(dir, "ssh.log");
  const wrapper = path.join(dir, "ssh-counting");
  writeFileSync(
    wrapper,
    `#!/bin/sh\nfor a in "$@"; do case $a in 10.*) echo "$a" >> ${JSON.stringify(sshLog)};; esac; done\nexec ssh "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  writeFileSync(path.join(dir, "deploy.yml"), playbook);
  writeFileSync(
    path.join(dir, "inventory.ini"),
    `[all]\n${Object.entries(hosts)
      .map(([name, ip]) => `${name} ansible_host=${ip}`)
      .join(
        "\n",
      )}\n\n[all:vars]\nansible_user=root\nansible_ssh_common_args=-F ${sshConfig}\nansible_ssh_executable=${wrapper}\nansible_python_interpreter=/usr/bin/python3\n`,
  );
  writeFileSync(
    path.join(dir, "ansible.cfg"),
    `[defaults]\nhost_key_checking = False\nforks = ${Math.max(5, forks)}\nstdout_callback = minimal\n\n[ssh_connection]\npipelining = True\n`,
  );
  return { playbook: path.join(dir, "deploy.yml"), inventory: path.join(dir, "inventory.ini"), cfg: path.join(dir, "ansible.cfg"), sshLog };
}
