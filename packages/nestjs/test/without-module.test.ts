import 'reflect-metadata';
import { Controller, Get } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import { WithLock, ZooConfig } from '../src/index.js';

@Controller()
class PlainController {
  @ZooConfig('greeting') greeting = 'hello';

  @Get('critical')
  @WithLock('/locks/critical')
  async critical() {
    return 'ran';
  }
}

describe('a class using Zoo decorators in a module without ZooModule (a unit test)', () => {
  it('is created; @ZooConfig reads its initializer and @WithLock says what is missing', async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [PlainController] }).compile();
    const controller = moduleRef.get(PlainController);
    expect(controller.greeting).toBe('hello');
    await expect(controller.critical()).rejects.toThrow("@WithLock('/locks/critical'): ZooModule is not imported where this class lives");
    await moduleRef.close();
  });
});
