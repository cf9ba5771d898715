// What the intake benchmarks share: the report they send and a free port to start a server on.
import net from 'node:net';

export const REPORT = {
  description: '人民路和府前街交叉口，早上七点多上学的孩子多，机动车经过斑马线从来不减速也不礼让行人，老人过马路太危险了，希望交警管一管',
  location: { address: '临城县人民路与府前街交叉口' },
  reporter: { phone: '13812345678' },
};

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
